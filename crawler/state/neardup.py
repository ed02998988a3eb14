"""Near-duplicate index: MinHash signatures banded for LSH, kept in SQLite under the state folder.

Syndicated copies (the same release on a ministry portal and a provincial one, or at two URLs)
differ in boilerplate and punctuation, not in text. Character shingles of the normalised text
work for Chinese (no spaces) as for English. The MinHash permutations and the band/row split
are datasketch's (``affine32``, the ``MinHashLSH`` optimum for the threshold), computed by
:mod:`crawler.state.minhash` without importing that package.

How a shingle becomes a 32-bit hash is the index's *signature scheme*, recorded in the index
when it is created, because signatures of two schemes never match:

- ``rolling`` (new indexes): a polynomial hash of each window's code points, computed for all
  windows at once with numpy; about a third of ``sha1``'s cost, which was 8% of a scheduled
  run's CPU;
- ``sha1`` (indexes created before schemes were recorded): datasketch's ``sha1_hash32`` of each
  shingle string, so records stored by earlier versions keep finding their copies.

Both estimate the Jaccard similarity of the shingle sets alike (``tests/test_state.py``).

The bands live in an indexed SQLite table instead of memory, so the index survives a killed run
and its memory does not grow with the corpus. A candidate found through the bands is confirmed by its
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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
ROLLING = "rolling"
SHA1 = "sha1"
SCHEMES = (ROLLING, SHA1)
"""Signature schemes: what a new index uses, then what an index without a recorded scheme used."""
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


def minhash_signature(text: str, *, num_perm: int, shingle: int, scheme: str = ROLLING) -> np.ndarray | None:
    """MinHash values of *text*'s character shingles, or None when it has none.

    Shared by the SQLite and the Redis index so both judge copies alike. An extraction worker
    computes it ahead for the crawl process (:func:`signature_ahead`).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown near-duplicate signature scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    options = {"num_perm": num_perm, "shingle": shingle, "scheme": scheme}
    return computed_ahead(
        "neardup_signature", (text,), options, lambda: _signature(text, num_perm, shingle, scheme)
    )


def signature_ahead(paragraphs: list[str], *, num_perm: int, shingle: int, scheme: str = ROLLING) -> None:
    """What a worker computes ahead for the near-duplicate check: the cleaned text's signature."""
    if text := record_text(paragraphs):
        minhash_signature(text, num_perm=num_perm, shingle=shingle, scheme=scheme)


_DIGEST = methodcaller("digest")


def _shingle_hashes(grams: set[str]) -> list[int]:
    """datasketch's ``sha1_hash32`` of every shingle (the first four bytes of its SHA-1, little
    endian), with the loop in C: one joined buffer of digests read as 32-bit words, every fifth
    one. A third faster than calling the hash function per shingle, with the same values."""
    digests = b"".join(map(_DIGEST, map(hashlib.sha1, map(str.encode, grams))))
    return np.frombuffer(digests, dtype="<u4")[::5].tolist()  # type: ignore[no-any-return]


_ROLLING_BASE = np.uint32(0x01000193)  # FNV's 32-bit prime: odd, with well-spread bits


def rolling_hashes(text: str, size: int = 5) -> np.ndarray:
    """32-bit hashes of the character *size*-grams of the normalised *text* (the whole text when
    shorter), duplicates included: ``sum(code[i + j] * B**(size - 1 - j))`` modulo 2**32, all
    windows at once. MinHash takes a minimum per permutation, so repeats change nothing.

    >>> len(rolling_hashes("生态环境部发布", 5)), len(rolling_hashes("Air", 5)), len(rolling_hashes("", 5))
    (3, 1, 0)
    >>> bool(rolling_hashes("abcdef", 5)[1] == rolling_hashes("bcdef", 5)[0])
    True
    """
    normal = normalise_text(text)
    codes = np.frombuffer(normal.encode("utf-32-le"), dtype="<u4")
    width = min(size, len(codes))
    count = len(codes) - width + 1 if width else 0
    hashes = codes[:count].copy()
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps: that is the modulo 2**32
        for offset in range(1, width):
            hashes = hashes * _ROLLING_BASE + codes[offset : offset + count]
    return hashes


def _signature(text: str, num_perm: int, shingle: int, scheme: str) -> np.ndarray | None:
    if scheme == ROLLING:
        hashes = rolling_hashes(text, shingle)
        # repeats change no minimum: dropping them first spares rows of the permutation matrix
        return minhash_values(np.unique(hashes), num_perm) if len(hashes) else None
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
        self.scheme = self._recorded_scheme()

    def _recorded_scheme(self) -> str:
        """The index's signature scheme: recorded at creation; ``sha1`` for an index that holds
        records but no scheme (written before schemes were recorded)."""
        assert self._writes is not None
        with self._writes.write() as db:
            held = db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is not None
            first = SHA1 if held else ROLLING
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('scheme', ?)", (first,))
        self._writes.flush()
        (scheme,) = self._db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()
        return str(scheme)

    def signature(self, text: str) -> np.ndarray | None:
        """MinHash values of *text*, or None when it has no shingles."""
        return minhash_signature(text, num_perm=self.num_perm, shingle=self.shingle, scheme=self.scheme)

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
