"""Output digests read in chunks (judge/outputs.py): the same values as the digests
of the whole bytes (so cached labels and pools stay valid), whatever the chunk
boundaries, with memory bounded by a chunk, not by the output."""

from __future__ import annotations

import hashlib
import io
import tempfile
import tracemalloc
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from judge.outputs import file_sha256, token_digest_stream


def whole_token_digest(data: bytes, case_sensitive: bool) -> str:
    """The digest as it was computed before it streamed (the whole output held)."""
    text = data if case_sensitive else data.lower()
    return hashlib.sha256(b" ".join(text.split())).hexdigest()


class ShortReads(io.RawIOBase):
    """A stream that returns at most `step` bytes per read (chunk boundaries
    anywhere, not only every CHUNK_BYTES)."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data = data
        self.step = step
        self.at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        limit = self.step if size is None or size < 0 else min(size, self.step)
        part = self.data[self.at : self.at + limit]
        self.at += len(part)
        return part


# Bytes drawn mostly from the characters that matter: every ASCII whitespace byte,
# letters of both cases, digits, and bytes that Python's str.split (unlike
# bytes.split) would treat as spaces.
OUTPUT_BYTES = st.lists(
    st.one_of(
        st.sampled_from(list(b" \t\n\r\x0b\x0c")),
        st.sampled_from(list(b"aAzZ09.-")),
        st.sampled_from([0x1C, 0x1F, 0x85, 0xA0, 0xC3, 0x00]),
        st.integers(0, 255),
    ),
    max_size=300,
).map(bytes)


@settings(max_examples=400)
@given(OUTPUT_BYTES, st.booleans(), st.integers(1, 9))
def test_streamed_token_digest_equals_the_whole_bytes_digest(
    data: bytes, case_sensitive: bool, step: int
) -> None:
    streamed = token_digest_stream(ShortReads(data, step), case_sensitive)  # type: ignore[arg-type]
    assert streamed == whole_token_digest(data, case_sensitive)
    assert token_digest_stream(io.BytesIO(data), case_sensitive) == streamed


@given(OUTPUT_BYTES)
def test_file_sha256_is_the_sha256_of_the_bytes(data: bytes) -> None:
    # hypothesis forbids function-scoped fixtures in @given: a fresh folder by hand
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out"
        path.write_bytes(data)
        assert file_sha256(path) == hashlib.sha256(data).hexdigest()


class Flood(io.RawIOBase):
    """`1 ` repeated to `total` bytes, made as it is read (never held whole)."""

    def __init__(self, total: int) -> None:
        self.left = total

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        self.left -= size
        return b"1 " * (size // 2) + b"1" * (size % 2)


def test_token_digest_memory_is_bounded_by_a_chunk() -> None:
    total = 8 << 20
    tracemalloc.start()
    try:
        digest = token_digest_stream(Flood(total), False)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 4 Mi tokens: the whole-bytes digest held the output, its split list (about
    # 40 bytes a token) and the joined copy, over 170 MiB
    assert peak < 4 << 20
    expected = hashlib.sha256(b" ".join([b"1"] * (total // 2))).hexdigest()
    assert digest == expected
