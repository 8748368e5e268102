"""Character n-grams within words (scikit-learn's ``char_wb``), counted with numpy.

scikit-learn builds every n-gram as a Python string, about 15 s for 20,000 reviews. Here each
n-gram is a 64-bit polynomial hash over code points, computed for all positions at once; equal
hashes are grouped by one sort. Two different n-grams share a column only if their hashes agree
in the top 64 - log2(#n-grams) bits (about 2**-38: none expected). Names are decoded from one
occurrence of each n-gram.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

_SEPARATOR = 0  # between documents; never inside a kept n-gram
_SPACE = ord(" ")
_BASE = np.uint64(1_000_003)
_BLOCK = 1 << 20


def _mix(keys: np.ndarray) -> None:
    """MurmurHash3's 64-bit finaliser, in place: a bijection that spreads short n-grams' hashes
    (small numbers) over the high bits the grouping sort relies on."""
    with np.errstate(over="ignore"):
        keys ^= keys >> np.uint64(33)
        keys *= np.uint64(0xFF51AFD7ED558CCD)
        keys ^= keys >> np.uint64(33)
        keys *= np.uint64(0xC4CEB9FE1A85EC53)
        keys ^= keys >> np.uint64(33)


def _group(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column of each n-gram (equal hashes share one) and the index of one occurrence of each.

    One in-place sort: the high bits carry the mixed hash, the low bits the n-gram's index. The
    index ranges are filled in blocks so no second array of that size is needed. ``keys`` is
    consumed.
    """
    _mix(keys)
    bits = np.uint64(max(1, (len(keys) - 1).bit_length()))
    mask = np.uint64((1 << int(bits)) - 1)
    keys >>= bits
    keys <<= bits
    for low in range(0, len(keys), _BLOCK):
        high = min(low + _BLOCK, len(keys))
        keys[low:high] |= np.arange(low, high, dtype=np.uint64)
    keys.sort()
    position = np.empty(len(keys), dtype=np.int32)
    for low in range(0, len(keys), _BLOCK):
        position[low : low + _BLOCK] = keys[low : low + _BLOCK] & mask
    keys >>= bits
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    column = np.empty(len(position), dtype=np.int32)
    column[position] = np.cumsum(new, dtype=np.int32) - 1
    return column, position[new]


def _count_matrix(pairs: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Term counts as CSR from ``document * columns + column`` codes (sorted in place), without
    the copies a COO round trip makes."""
    pairs.sort()
    edges = np.flatnonzero(np.concatenate([[True], pairs[1:] != pairs[:-1], [True]]))
    unique = pairs[edges[:-1]]
    counts = np.diff(edges).astype(np.float32)
    del edges
    indptr = np.searchsorted(unique, np.arange(shape[0] + 1, dtype=np.int64) * shape[1])
    unique %= shape[1]
    return sp.csr_matrix((counts, unique.astype(np.int32), indptr), shape=shape)


def _cumulative(mask: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros(1, dtype=np.int32), np.cumsum(mask, dtype=np.int32)])


class CharNgramTfidf:
    """TF-IDF over ``char_wb`` n-grams, as ``TfidfVectorizer(analyzer="char_wb", ...)`` computes.

    Words are padded with one space and n-grams never cross a word: text is lowercased,
    whitespace runs become one space, and a window is kept when no space lies strictly inside.
    """

    def __init__(
        self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, sublinear_tf: bool = True
    ) -> None:
        if ngram_range[0] < 2:
            raise ValueError("n-grams start at 2 characters (a padded word is at least 3)")
        self.ngram_range = ngram_range
        self.min_df = min_df
        self._tfidf = TfidfTransformer(sublinear_tf=sublinear_tf)
        self._names = np.empty(0, dtype=object)

    def _windows(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hash, start and length of every kept window, written into arrays sized up front."""
        spaces, breaks = _cumulative(codes == _SPACE), _cumulative(codes == _SEPARATOR)
        low, high = self.ngram_range
        keeps = {}
        for n in range(low, min(high, len(codes)) + 1):
            begin = np.arange(len(codes) - n + 1, dtype=np.int32)
            keep = breaks[begin + n] == breaks[begin]
            if n > 2:
                keep &= spaces[begin + n - 1] == spaces[begin + 1]
            keeps[n] = keep
        del spaces, breaks
        total = sum(int(keep.sum()) for keep in keeps.values())
        keys = np.empty(total, dtype=np.uint64)
        starts = np.empty(total, dtype=np.int32)
        sizes = np.empty(total, dtype=np.int8)
        hashes = np.zeros(len(codes), dtype=np.uint64)
        offset = 0
        with np.errstate(over="ignore"):  # the hash wraps around modulo 2**64 by design
            for n in range(1, max(keeps, default=0) + 1):
                hashes = hashes[: len(codes) - n + 1]
                hashes *= _BASE
                hashes += codes[n - 1 :]
                hashes += np.uint64(n)
                if n not in keeps:
                    continue
                end = offset + int(keeps[n].sum())
                np.compress(keeps[n], hashes, out=keys[offset:end])
                starts[offset:end] = np.flatnonzero(keeps[n])
                sizes[offset:end] = n
                offset = end
        return keys, starts, sizes

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        padded = [" " + " ".join(t.lower().split()) + " " for t in texts]
        joined = "\0".join(padded)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter((len(p) + 1 for p in padded), dtype=np.int64, count=len(padded))
        doc_of = np.repeat(np.arange(len(padded), dtype=np.int32), lengths)[: len(codes)]
        keys, starts, sizes = self._windows(codes)
        del codes
        if len(keys) == 0:
            raise ValueError("the texts have no character n-grams")
        column, first = _group(keys)
        del keys
        pairs = doc_of[starts].astype(np.int64)
        del doc_of
        pairs *= len(first)
        pairs += column
        del column
        counts = _count_matrix(pairs, (len(texts), len(first)))
        del pairs
        frequent = np.flatnonzero(np.bincount(counts.indices, minlength=len(first)) >= self.min_df)
        if len(frequent) == 0:
            raise ValueError(f"no character n-gram occurs in {self.min_df} documents")
        where = first[frequent]
        self._names = np.array(
            [joined[s : s + n] for s, n in zip(starts[where], sizes[where], strict=True)],
            dtype=object,
        )
        return self._tfidf.fit_transform(counts[:, frequent]).astype(np.float32).tocsr()

    def get_feature_names_out(self) -> np.ndarray:
        return self._names
