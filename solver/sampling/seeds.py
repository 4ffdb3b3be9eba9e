"""Seeds: how a run's one base seed becomes the seed of each engine call and of
each sample inside a call. The one place seeds are derived.

Two derivations, each frozen because recorded runs resume on the seeds they drew:

* `call_seed(base, chunk, prompt keys)`: the seed the sampling driver
  (`solver.sample`) gives one engine call; a 31-bit SHA-256 hash, so every chunk
  of every prompt draws independent samples.
* `derive_seed(seed, *positions)`: what an engine mixes that call seed with
  (prompt position, sample index) to seed one prompt or one sample; a 63-bit
  splitmix64 mix. Engines that need fewer bits reduce it modulo their range.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_MASK64 = 0xFFFFFFFFFFFFFFFF


def call_seed(base_seed: int, chunk: int, prompt_keys: Sequence[str]) -> int:
    """The engine seed of one call: a 31-bit hash of (base seed, chunk, prompt
    keys), so every chunk of every prompt draws independent samples."""
    blob = f"{base_seed}|{chunk}|{','.join(prompt_keys)}".encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:4], "big") & 0x7FFFFFFF


def derive_seed(seed: int, *parts: int) -> int:
    """A deterministic 63-bit seed mixed from `seed` and `parts` (splitmix64): the
    seed of one prompt or sample position inside an engine call."""
    value = seed & _MASK64
    for part in parts:
        value = (value ^ (part + 0x9E3779B97F4A7C15)) & _MASK64
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
        value ^= value >> 31
    return value & 0x7FFFFFFFFFFFFFFF
