"""New inputs from the public ones by mutations that keep their structure.

An input is read as lines of whitespace-separated tokens. What the public inputs
show is learned first (`InputShape`): the range of the integers and the decimals of
the floats seen at each position (line role, column), which header numbers are
lengths (equal to the token count of the next line, or to the number of lines that
follow), and the alphabet of word tokens. A mutation then changes one of:

* numbers: integers redrawn within the range observed at their position, floats
  within theirs (same number of decimals);
* lengths: a list (or a block of lines) resized (mostly within twice the longest
  list seen, a quarter of the time scaled up to `SCALE_FACTOR` times it), its
  length field updated, its items drawn from the items seen there;
* permutations: the tokens of a list line (one after a length, or any line of
  three or more integers), the lines of a block, or the characters of a word
  shuffled.

An input that reads as a count of test cases and their records gets multi-test
variants too (`replicate_records`): records from independent mutants under a
new count; a program that keeps state between test cases shows it there.

Mutations know no constraints beyond what was seen: the caller keeps an input only
when the validators accept it. Pure and deterministic for a given random.Random.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+\.(\d+)")
MAX_RESIZE_FACTOR = 2
SCALE_FACTOR = 32
MAX_RECORDS = 12
MAX_SCALED_LENGTH = 4096


def _role(line_index: int, line_count: int) -> str:
    """Header lines keep their index; the rest of a long input shares a role."""
    return f"line{line_index}" if line_index < 2 or line_count <= 4 else "body"


@dataclass
class InputShape:
    """What the public inputs show about positions: integer ranges, float
    decimals, the longest list seen, and the range of all integers."""

    int_ranges: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    float_ranges: dict[tuple[str, int], tuple[float, float, int]] = field(default_factory=dict)
    longest: int = 1
    all_ints: tuple[int, int] | None = None

    def observe(self, text: str) -> None:
        """Widen the ranges with one public input."""
        lines = text.split("\n")
        for index, line in enumerate(lines):
            tokens = line.split()
            self.longest = max(self.longest, len(tokens), len(lines))
            role = _role(index, len(lines))
            for column, token in enumerate(tokens):
                key = (role, min(column, 3))
                if _INT.fullmatch(token):
                    value = int(token)
                    low, high = self.int_ranges.get(key, (value, value))
                    self.int_ranges[key] = (min(low, value), max(high, value))
                    low, high = self.all_ints or (value, value)
                    self.all_ints = (min(low, value), max(high, value))
                elif match := _FLOAT.fullmatch(token):
                    value_f = float(token)
                    low_f, high_f, decimals = self.float_ranges.get(
                        key, (value_f, value_f, len(match.group(1)))
                    )
                    self.float_ranges[key] = (
                        min(low_f, value_f),
                        max(high_f, value_f),
                        max(decimals, len(match.group(1))),
                    )


def learn_shape(texts: Sequence[str]) -> InputShape:
    """The shape of a problem's public inputs."""
    shape = InputShape()
    for text in texts:
        shape.observe(text)
    return shape


LengthField = tuple[int, int, str]
"""(line, column, kind) of a header number that is a length (see _length_fields)."""


def _length_fields(lines: list[list[str]]) -> list[LengthField]:
    """(line, column, kind) of header numbers that are lengths: `tokens` when equal
    to the token count of the next line, `lines` when equal to the number of
    non-empty lines that follow."""
    found = []
    for index, tokens in enumerate(lines[:3]):
        following = [line for line in lines[index + 1 :] if line]
        for column, token in enumerate(tokens):
            if not _INT.fullmatch(token) or int(token) < 1:
                continue
            value = int(token)
            if index + 1 < len(lines) and len(lines[index + 1]) == value and value > 1:
                found.append((index, column, "tokens"))
            elif len(following) == value and value > 1:
                found.append((index, column, "lines"))
    return found


def _fields_in_range(fields: list[LengthField], lines: list[list[str]]) -> list[LengthField]:
    """The length fields that still name a number of `lines` (a resize of an
    earlier line may have replaced the lines after it)."""
    return [
        (line, column, kind)
        for line, column, kind in fields
        if line < len(lines) and column < len(lines[line]) and _INT.fullmatch(lines[line][column])
    ]


def _mutate_numbers(
    lines: list[list[str]],
    lengths: list[LengthField],
    shape: InputShape,
    rng: random.Random,
) -> None:
    kept = {(line, column) for line, column, _ in lengths}
    rate = rng.choice((0.05, 0.2, 0.5, 1.0))
    for index, tokens in enumerate(lines):
        role = _role(index, len(lines))
        for column, token in enumerate(tokens):
            if (index, column) in kept or rng.random() > rate:
                continue
            key = (role, min(column, 3))
            if _INT.fullmatch(token) and key in shape.int_ranges:
                # Mostly the range seen at this position; sometimes the range of all
                # integers of the inputs (one sample shows one value per position).
                low, high = shape.int_ranges[key]
                if shape.all_ints is not None and (low == high or rng.random() < 0.3):
                    low, high = shape.all_ints
                pick = rng.random()
                value = low if pick < 0.1 else high if pick < 0.2 else rng.randint(low, high)
                tokens[column] = str(value)
            elif _FLOAT.fullmatch(token) and key in shape.float_ranges:
                low_f, high_f, decimals = shape.float_ranges[key]
                tokens[column] = f"{rng.uniform(low_f, high_f):.{decimals}f}"


def _permute(lines: list[list[str]], lengths: list[LengthField], rng: random.Random) -> None:
    choice = rng.random()
    counted = {line + 1 for line, _, kind in lengths if kind == "tokens" and line + 1 < len(lines)}
    # Any line of three or more numbers is a list too: a shuffle keeps its multiset
    # (a count of ones, a sum), which a redraw of its numbers rarely does.
    lists = sorted(
        counted
        | {
            index
            for index, tokens in enumerate(lines)
            if len(tokens) >= 3 and all(_INT.fullmatch(token) for token in tokens)
        }
    )
    if lists and choice < 0.5:
        rng.shuffle(lines[rng.choice(lists)])
        return
    blocks = [line for line, _, kind in lengths if kind == "lines"]
    if blocks and choice < 0.8:
        start = blocks[0] + 1
        body = lines[start:]
        filled = [line for line in body if line]
        rng.shuffle(filled)
        lines[start:] = filled + [line for line in body if not line]
        return
    words = [
        (index, column)
        for index, tokens in enumerate(lines)
        for column, token in enumerate(tokens)
        if len(token) > 1 and not _INT.fullmatch(token) and not _FLOAT.fullmatch(token)
    ]
    for index, column in rng.sample(words, min(len(words), rng.randint(1, 3))):
        characters = list(lines[index][column])
        first, second = rng.randrange(len(characters)), rng.randrange(len(characters))
        characters[first], characters[second] = characters[second], characters[first]
        lines[index][column] = "".join(characters)


def _resize(
    lines: list[list[str]],
    lengths: list[LengthField],
    shape: InputShape,
    rng: random.Random,
) -> None:
    if not lengths:
        return
    line, column, kind = rng.choice(lengths)
    pick = rng.random()
    if pick < 0.3:
        new = rng.choice((1, 2, shape.longest))
    elif pick < 0.55:
        # Scaled up, log-uniformly: public inputs are small, and programs that agree
        # on small inputs often part only on large ones (array bounds, overflow,
        # a quality score that depends on the size).
        top = min(shape.longest * SCALE_FACTOR, MAX_SCALED_LENGTH)
        new = round(math.exp(rng.uniform(math.log(shape.longest), math.log(max(top, 2)))))
    else:
        new = rng.randint(1, max(2, shape.longest * MAX_RESIZE_FACTOR))
    if kind == "tokens":
        items = lines[line + 1]
        lines[line + 1] = [rng.choice(items) for _ in range(new)]
    else:
        body = [row for row in lines[line + 1 :] if row]
        lines[line + 1 :] = [list(rng.choice(body)) for _ in range(new)] + [[]]
    lines[line][column] = str(new)


def record_count(lines: list[list[str]]) -> tuple[int, int] | None:
    """(line, records) where an input reads as a count of test cases followed by
    that many records of equally many lines: a single positive integer on one of
    its first two lines, dividing the non-empty lines after it. Records of one
    line each are a block (`_length_fields`), not records."""
    for index in range(min(2, len(lines))):
        tokens = lines[index]
        if len(tokens) != 1 or not tokens[0].isdigit() or int(tokens[0]) < 1:
            continue
        count = int(tokens[0])
        rest = [line for line in lines[index + 1 :] if line]
        if rest and len(rest) % count == 0 and (count == 1 or len(rest) > count):
            return index, count
    return None


def _same_shape(chunk: list[list[str]], record: list[list[str]], fields: list[LengthField]) -> bool:
    """Whether a mutant's record still reads as the public `record` (whose length
    `fields` count its lists): every length counts its list, and every other line
    has as many tokens as the public one. Shuffled lines or a redrawn length do not."""
    counted = {line + 1 for line, _, kind in fields if kind == "tokens"}
    for line, column, kind in fields:
        if kind != "tokens":
            continue
        value = chunk[line][column] if column < len(chunk[line]) else ""
        if not _INT.fullmatch(value) or int(value) != len(chunk[line + 1]):
            return False
    return all(
        len(mine) == len(theirs)
        for index, (mine, theirs) in enumerate(zip(chunk, record, strict=True))
        if index not in counted
    )


def replicate_records(text: str, shape: InputShape, rng: random.Random) -> str | None:
    """A multi-test input made from a public one that reads as a count of records
    (`record_count`): a new count (up to `MAX_RECORDS`), each record taken from an
    independent mutant of the input. None when the input has no such count."""
    lines = [line.split() for line in text.split("\n")]
    found = record_count(lines)
    if found is None:
        return None
    index, count = found
    head = lines[:index]
    original = [line for line in lines[index + 1 :] if line]
    size = len(original) // count
    fields = _length_fields(original[:size])
    records: list[list[list[str]]] = []
    for _ in range(rng.choice((2, 3, rng.randint(2, MAX_RECORDS)))):
        mutant = [line.split() for line in mutate_input(text, shape, rng).split("\n")]
        rest = [line for line in mutant[index + 1 :] if line]
        if mutant[:index] != head or len(rest) % size or not rest:
            rest = original  # a resize changed the number of lines
        chunks = [rest[start : start + size] for start in range(0, len(rest), size)]
        chunk = rng.choice(chunks)
        records.append(chunk if _same_shape(chunk, original[:size], fields) else original[:size])
    body = [line for record in records for line in record]
    return "\n".join(" ".join(tokens) for tokens in [*head, [str(len(records))], *body, []])


def mutate_input(text: str, shape: InputShape, rng: random.Random) -> str:
    """One mutant of a public input: one to three mutations drawn from numbers,
    lengths and permutations (see the module docstring). Line structure and the
    final newline are kept; tokens are joined by single spaces."""
    lines = [line.split() for line in text.split("\n")]
    original = _length_fields(lines)
    for _ in range(rng.randint(1, 3)):
        # A length stays one after a resize to 1 (which _length_fields no longer
        # sees as a length), so a later mutation keeps it and its list in step.
        lengths = _fields_in_range(original, lines) + [
            found for found in _length_fields(lines) if found not in original
        ]
        operation = rng.choice(("numbers", "numbers", "resize", "permute"))
        if operation == "numbers":
            _mutate_numbers(lines, lengths, shape, rng)
        elif operation == "resize":
            _resize(lines, lengths, shape, rng)
        else:
            _permute(lines, lengths, rng)
    return "\n".join(" ".join(tokens) for tokens in lines)
