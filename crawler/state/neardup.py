"""Near-duplicate index: MinHash signatures banded for LSH, kept in SQLite under the state folder.

Syndicated copies (the same release on a ministry portal and a provincial one, or at two URLs)
differ in boilerplate and punctuation, not in text. Character shingles of the normalised text
work for Chinese (no spaces) as for English. Signatures and the band/row split are datasketch's
(``MinHash`` with its ``affine32`` scheme, the ``MinHashLSH`` optimum for the threshold),
computed by :mod:`crawler.state.minhash` without importing that package. The bands live in
an indexed SQLite table instead of memory, so the index survives a killed run and its memory
does not grow with the corpus. A candidate found through the bands is confirmed by its
estimated Jaccard similarity before it counts.

Additions are committed in groups through the file's one shared connection
(:mod:`crawler.state.grouped`: every ``commit_every`` records or ``commit_seconds``, and on
:meth:`SqliteNearDuplicateIndex.flush`), not one transaction each. The crawl flushes before each
output file is delivered and at close, so a killed run loses at most the verdicts of records it
had not delivered; those articles are fetched and judged again by the next run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from operator import methodcaller
from pathlib import Path

import numpy as np

from crawler.state.grouped import GroupedWrites
from crawler.state.minhash import band_split
from crawler.state.minhash import signature as minhash_values
from pipelines._step import computed_ahead
from pipelines.finalise import record_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, duplicate_of TEXT, signature BLOB
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, record_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bands_lookup ON bands (band, hash);
CREATE INDEX IF NOT EXISTS docs_seq ON docs (seq);
"""
_NON_WORD = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """Case-folded text with runs of punctuation and spaces reduced to one space.

    >>> normalise_text("Clean  Air, Act!\\n“生态环境部”发布")
    'clean air act 生态环境部 发布'
    """
    return _NON_WORD.sub(" ", text.casefold()).strip()


def shingles(text: str, size: int = 5) -> set[str]:
    """Character *size*-grams of the normalised *text* (the whole text when shorter).

    >>> sorted(shingles("生态环境部发布", 5))
    ['态环境部发', '环境部发布', '生态环境部']
    """
    normal = normalise_text(text)
    if len(normal) <= size:
        return {normal} if normal else set()
    # zip over shifted copies yields every window's characters with the loop in C.
    return set(map("".join, zip(*(normal[j:] for j in range(size)), strict=False)))


def minhash_signature(text: str, *, num_perm: int, shingle: int) -> np.ndarray | None:
    """MinHash values of *text*'s character shingles, or None when it has none.

    Shared by the SQLite and the Redis index so both judge copies alike. An extraction worker
    computes it ahead for the crawl process (:func:`signature_ahead`).
    """
    options = {"num_perm": num_perm, "shingle": shingle}
    return computed_ahead("neardup_signature", (text,), options, lambda: _signature(text, num_perm, shingle))


def signature_ahead(paragraphs: list[str], *, num_perm: int, shingle: int) -> None:
    """What a worker computes ahead for the near-duplicate check: the cleaned text's signature."""
    if text := record_text(paragraphs):
        minhash_signature(text, num_perm=num_perm, shingle=shingle)


_DIGEST = methodcaller("digest")


def _shingle_hashes(grams: set[str]) -> list[int]:
    """datasketch's ``sha1_hash32`` of every shingle (the first four bytes of its SHA-1, little
    endian), with the loop in C: one joined buffer of digests read as 32-bit words, every fifth
    one. A third faster than calling the hash function per shingle, with the same values."""
    digests = b"".join(map(_DIGEST, map(hashlib.sha1, map(str.encode, grams))))
    return np.frombuffer(digests, dtype="<u4")[::5].tolist()  # type: ignore[no-any-return]


def _signature(text: str, num_perm: int, shingle: int) -> np.ndarray | None:
    grams = shingles(text, shingle)
    if not grams:
        return None
    return minhash_values(_shingle_hashes(grams), num_perm)


def _band_hash(values: np.ndarray) -> int:
    """A signed 64-bit hash of one band of a signature (fits an SQLite INTEGER)."""
    digest = hashlib.blake2b(values.tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SqliteNearDuplicateIndex:
    """:class:`crawler.state.base.NearDuplicateIndex` over one SQLite file."""

    def __init__(
        self, path: Path | str, *, threshold: float = 0.8, num_perm: int = 128, shingle: int = 5,
        commit_every: int = 64, commit_seconds: float = 2.0,
    ) -> None:  # fmt: skip
        self.path = Path(path)
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self._bands, self._rows = band_split(threshold, num_perm)
        self._writes: GroupedWrites | None = GroupedWrites.acquire(
            self.path, _SCHEMA, every=commit_every, seconds=commit_seconds
        )
        self._db = self._writes.db

    def signature(self, text: str) -> np.ndarray | None:
        """MinHash values of *text*, or None when it has no shingles."""
        return minhash_signature(text, num_perm=self.num_perm, shingle=self.shingle)

    def _band_hashes(self, signature: np.ndarray) -> Iterator[tuple[int, int]]:
        for band in range(self._bands):
            yield band, _band_hash(signature[band * self._rows : (band + 1) * self._rows])

    def query_or_add(self, record_id: str, text: str) -> str | None:
        db = self._db
        known = db.execute("SELECT duplicate_of FROM docs WHERE record_id = ?", (record_id,)).fetchone()
        if known is not None:
            return known[0]  # type: ignore[no-any-return]
        signature = self.signature(text)
        bands = list(self._band_hashes(signature)) if signature is not None else []
        assert self._writes is not None, "the index is closed"
        with self._writes.write():
            original = self._best_match(signature, bands) if signature is not None else None
            db.execute(
                "INSERT INTO docs (record_id, seq, duplicate_of, signature) "
                "SELECT ?, coalesce(max(seq), 0) + 1, ?, ? FROM docs",
                (record_id, original, signature.tobytes() if signature is not None else None),
            )
            db.executemany(
                "INSERT INTO bands (band, hash, record_id) VALUES (?, ?, ?)",
                [(band, value, record_id) for band, value in bands],
            )
        return original

    def flush(self) -> None:
        """Commit the additions not yet committed."""
        if self._writes is not None:
            self._writes.flush()

    def _candidates(self, bands: list[tuple[int, int]]) -> list[tuple[str, int, str | None, bytes]]:
        """Every stored document sharing a band with *bands*, in one statement: the ``OR`` of
        band terms is answered by one ``bands_lookup`` index search per band (a row-value
        ``IN`` list would scan the table instead)."""
        terms = " OR ".join("(band = ? AND hash = ?)" for _ in bands)
        values = [number for pair in bands for number in pair]
        return self._db.execute(
            "SELECT record_id, seq, duplicate_of, signature FROM docs "
            f"WHERE record_id IN (SELECT record_id FROM bands WHERE {terms})",
            values,
        ).fetchall()

    def _best_match(self, signature: np.ndarray, bands: list[tuple[int, int]]) -> str | None:
        """The earliest confirmed near-duplicate's original (an original is never itself a copy)."""
        best: tuple[int, str] | None = None
        for candidate, seq, duplicate_of, blob in self._candidates(bands) if bands else ():
            other = np.frombuffer(blob, dtype=np.uint64)
            if float(np.mean(other == signature)) < self.threshold:
                continue
            if best is None or seq < best[0]:
                best = (seq, duplicate_of or candidate)
        return best[1] if best else None

    def close(self) -> None:
        writes, self._writes = self._writes, None
        if writes is not None:
            writes.release()
