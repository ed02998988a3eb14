"""MinHash signatures and LSH banding, value for value those of datasketch 2's ``affine32`` scheme.

Why not datasketch itself at crawl time: importing the package loads its LSH module, which
imports ``scipy.integrate`` to choose the band split; that costs about half a second and
50 MB in every crawl process and extraction worker, for one number pair per run. The two
pieces the crawler uses are small and fixed:

- a signature: each shingle's 32-bit hash is mixed by the MurmurHash3 finalizer, then put
  through ``num_perm`` affine permutations ``a * h + b (mod 2**32)`` drawn from
  ``numpy.random.RandomState(seed)``; the signature is the minimum of each permutation;
- the band split: the ``(bands, rows)`` with ``bands * rows <= num_perm`` that minimises the
  equally weighted false-positive and false-negative areas of the LSH S-curve at the threshold.

Writing the scheme down here also pins it: stored signatures no longer change meaning with the
datasketch release pip happens to install (1.x used another scheme). ``tests/test_state.py``
compares both pieces with datasketch, which stays a test dependency.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

SEED = 1
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=4)
def permutations(num_perm: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations' multipliers (odd, so each map is a bijection) and offsets."""
    generator = np.random.RandomState(seed)
    multipliers = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    offsets = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return multipliers, offsets


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer: spreads weakly mixed input hashes before the permutations."""
    shift1, mult1, shift2, mult2, shift3 = _FMIX32
    values = values ^ (values >> shift1)
    values = values * mult1
    values = values ^ (values >> shift2)
    values = values * mult2
    return values ^ (values >> shift3)  # type: ignore[no-any-return]


def signature(hashes: Sequence[int] | np.ndarray, num_perm: int, seed: int = SEED) -> np.ndarray:
    """The MinHash signature (``uint64`` values) of a set given by its members' 32-bit hashes
    (a member listed twice changes nothing)."""
    multipliers, offsets = permutations(num_perm, seed)
    if len(hashes) == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint64)
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32).reshape(-1, 1))
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps: that is the modulo 2**32
        permuted = mixed * multipliers + offsets
    return permuted.min(axis=0).astype(np.uint64)


def _s_curve_areas(threshold: float, bands: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Equal-weight sum of the false-positive area (candidate probability below the threshold)
    and the false-negative area (non-candidate probability above it), per ``(bands, rows)``.

    The integrands are polynomials of degree ``bands * rows <= num_perm``, so Gauss-Legendre
    quadrature with ``num_perm // 2 + 1`` nodes integrates them exactly up to rounding.
    """
    nodes, weights = np.polynomial.legendre.leggauss(int((bands * rows).max()) // 2 + 1)

    def integral(low: float, high: float, negative: bool) -> np.ndarray:
        points = (high - low) / 2 * nodes + (high + low) / 2
        candidate = 1 - (1 - points[:, None] ** rows) ** bands
        values = 1 - candidate if negative else candidate
        return (high - low) / 2 * (weights[:, None] * values).sum(axis=0)  # type: ignore[no-any-return]

    return 0.5 * integral(0.0, threshold, False) + 0.5 * integral(threshold, 1.0, True)


@lru_cache(maxsize=16)
def band_split(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` split of a *num_perm* signature for a Jaccard *threshold*.

    The first pair in ``bands``-then-``rows`` order with the least error wins, as in datasketch;
    a split into fewer than two bands is refused, as there (no banding left to speak of).
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"near-duplicate threshold must be within [0, 1], not {threshold}")
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    bands = np.array([b for b, _ in pairs], dtype=float)
    rows = np.array([r for _, r in pairs], dtype=float)
    best = pairs[int(np.argmin(_s_curve_areas(threshold, bands, rows)))]
    if best[0] < 2:
        raise ValueError(f"threshold {threshold} leaves fewer than two bands of {num_perm} permutations")
    return best
