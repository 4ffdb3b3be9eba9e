"""How typical a program is among the programs it was sampled with: the cosine
similarity of its token 3-grams (after `normalise`, so comments and layout do
not count) to the sum of the other programs' 3-grams in its language.

A source-level consensus, like minimum-Bayes-risk decoding: a program close to
what most samples wrote is more likely to be what the model meant than one with
a rare edit. Linear in the total number of tokens (one centroid per language,
each program compared with it minus itself)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from solver.code.normalise import NORMALISERS, normalise

GRAM = 3


def token_grams(code: str, language: str) -> Counter[tuple[str, ...]]:
    """The token 3-grams of a program's normalised source, counted (its
    whitespace-separated words where the language has no normaliser)."""
    text = normalise(code, language) if language in NORMALISERS else code
    tokens = text.split()
    return Counter(tuple(tokens[i : i + GRAM]) for i in range(max(0, len(tokens) - GRAM + 1)))


def centrality(sources: Sequence[tuple[str, str]]) -> list[float]:
    """Per (code, language): cosine similarity in [0, 1] of its 3-grams to the
    sum of the other programs' of the same language; 0 for a program with no
    3-gram. A program alone in its language has nothing to be typical of, so it
    gets the mean score of the programs that have peers (neutral: neither
    ahead of nor behind them on this feature), or 0 if none has."""
    grams = [token_grams(code, language) for code, language in sources]
    totals: dict[str, Counter[tuple[str, ...]]] = {}
    for (_, language), counted in zip(sources, grams, strict=True):
        totals.setdefault(language, Counter()).update(counted)
    squares = {lang: sum(v * v for v in total.values()) for lang, total in totals.items()}
    peers = Counter(language for _, language in sources)
    scores: list[float | None] = []  # None: alone in its language, filled in below
    for (_, language), counted in zip(sources, grams, strict=True):
        total = totals[language]
        own = sum(v * v for v in counted.values())
        dot = sum(v * total[gram] for gram, v in counted.items())
        others_dot = dot - own  # v . (S - v)
        others_square = squares[language] - 2 * dot + own  # |S - v|^2
        if own == 0:
            scores.append(0.0)
        elif peers[language] == 1:
            scores.append(None)
        elif others_square <= 0:
            scores.append(0.0)
        else:
            scores.append(max(0.0, others_dot / math.sqrt(own * others_square)))
    # Scored against peers: not lone (None) and not empty (no 3-gram, scored 0).
    compared = [
        score for score, counted in zip(scores, grams, strict=True) if score is not None and counted
    ]
    neutral = sum(compared) / len(compared) if compared else 0.0
    return [neutral if score is None else score for score in scores]
