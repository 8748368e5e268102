import json
import threading

import numpy as np
import pytest

from reviewgen.vectorstore import DuplicateStore, build_embedder, restore
from reviewgen.vectorstore import store as store_module

REVIEW = (
    "Battery easily lasts two days and the camera takes sharp photos in daylight, "
    "but the speaker is quiet and the case it came with cracked in a week."
)
UNRELATED = "Seller shipped fast, phone arrived sealed and activated on my carrier without trouble."


@pytest.fixture(scope="module")
def embedder():
    return build_embedder("hashing.v1")


def test_exact_copy_and_light_edit_are_duplicates(embedder):
    store = DuplicateStore(embedder, threshold=0.8)
    assert store.check_and_add("a", REVIEW) == (True, None)
    added, match = store.check_and_add("b", REVIEW)
    assert not added and match.id == "a" and match.similarity > 0.999
    edited = REVIEW.replace("two days", "2 days").replace("sharp ", "").lower()
    added, match = store.check_and_add("c", edited)
    assert not added and match.id == "a" and match.similarity >= 0.8


def test_unrelated_review_is_accepted(embedder):
    store = DuplicateStore(embedder, threshold=0.8)
    store.check_and_add("a", REVIEW)
    added, match = store.check_and_add("b", UNRELATED)
    assert added and match.similarity < 0.5
    assert len(store) == 2


def test_check_and_add_is_atomic_under_threads(embedder):
    store = DuplicateStore(embedder, threshold=0.8)
    vector = embedder.embed([REVIEW])[0]
    results = []
    barrier = threading.Barrier(32)

    def worker(i: int) -> None:
        barrier.wait()
        results.append(store.check_and_add(f"id{i}", vector=vector)[0])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1 and len(store) == 1


def test_hnsw_index_finds_duplicates(embedder):
    rng = np.random.default_rng(0)
    store = DuplicateStore(embedder, threshold=0.8, index="hnsw")
    words = [
        "battery",
        "screen",
        "camera",
        "seller",
        "price",
        "fast",
        "slow",
        "great",
        "bad",
        "returned",
        "charger",
        "case",
        "love",
        "hate",
        "works",
        "broke",
    ]
    texts = [" ".join(rng.choice(words, 12)) + f" order {i}" for i in range(300)]
    store.add([f"t{i}" for i in range(300)], texts)
    added, match = store.check_and_add("dup", texts[123])
    assert not added and match.id == "t123"


def test_semantic_paraphrase_needs_semantic_embedder():
    pytest.importorskip("sentence_transformers", reason="semantic extra not installed")
    embedder = build_embedder("sentence_transformers.v1")
    store = DuplicateStore(embedder, threshold=0.7)
    store.check_and_add("a", "The battery dies before lunch, really disappointing.")
    added, match = store.check_and_add("b", "Power runs out by midday, I'm so let down.")
    assert not added and match.id == "a"


TEXTS = [
    "Battery lasts all day, camera is great!",
    "x",
    "",
    "   ",
    "Ünïcode café 😀 works fine, 5/5 would buy again",
    REVIEW,
    UNRELATED,
    "a ab abc\tTabs,\n\n  new\u00a0lines İstanbul STRASSE straße a ab",  # short words, spaces
]


@pytest.mark.parametrize("dim", [256, 1024])
def test_fast_hashing_paths_equal_the_public_vectorizer(dim):
    # The single-text path calls sklearn's private kernel; a scikit-learn upgrade that changes
    # it must fail here rather than silently change every stored vector.
    embedder = build_embedder("hashing.v1", {"dim": dim})
    public = embedder.embed_public(TEXTS)
    for i, text in enumerate(TEXTS):
        np.testing.assert_array_equal(embedder.embed([text])[0], public[i])
    np.testing.assert_array_equal(embedder.embed(TEXTS), public)
    assert embedder.embed([]).shape == (0, dim)


def _texts(n: int) -> list[str]:
    """Unrelated texts: 12 random pseudo-words each."""
    rng = np.random.default_rng(1)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return [" ".join("".join(rng.choice(letters, 6)) for _ in range(12)) for _ in range(n)]


def test_ivf_trains_once_it_holds_enough_and_finds_duplicates(embedder, monkeypatch):
    monkeypatch.setattr(store_module, "IVF_TRAIN_AT", 200)
    texts = _texts(400)
    store = DuplicateStore(embedder, threshold=0.8, expected_size=20_000)
    assert store.kind == "ivf"
    store.add([f"t{i}" for i in range(150)], texts[:150])
    assert store.describe().startswith("flat")
    for i in range(150, 400):
        assert store.check_and_add(f"t{i}", texts[i])[0]
    assert store.describe().startswith("ivf-flat") and len(store) == 400
    added, match = store.check_and_add("dup", texts[123])
    assert not added and match.id == "t123"


def test_restore_uses_a_matching_snapshot_and_embeds_only_the_tail(embedder, tmp_path):
    texts, ids = _texts(60), [f"r{i}" for i in range(60)]
    path = tmp_path / "store.faiss"
    first = DuplicateStore(embedder, threshold=0.8)
    assert restore(first, ids[:40], texts[:40], path) == 0  # nothing to load: full build
    assert (
        path.exists() and json.loads(path.with_name("store.faiss.json").read_text())["count"] == 40
    )
    second = DuplicateStore(embedder, threshold=0.8)
    assert restore(second, ids, texts, path) == 40  # 40 from the snapshot, 20 embedded
    assert len(second) == 60
    added, match = second.check_and_add("dup", texts[50])
    assert not added and match.id == "r50"


def test_restore_ignores_a_snapshot_of_another_ledger(embedder, tmp_path):
    texts = _texts(30)
    path = tmp_path / "store.faiss"
    restore(DuplicateStore(embedder, threshold=0.8), [f"a{i}" for i in range(30)], texts, path)
    store = DuplicateStore(embedder, threshold=0.8)
    assert restore(store, [f"b{i}" for i in range(30)], texts, path) == 0
    assert store.nearest(texts[5]).id == "b5"
    other_dim = DuplicateStore(build_embedder("hashing.v1", {"dim": 512}), threshold=0.8)
    assert restore(other_dim, [f"b{i}" for i in range(30)], texts, path) == 0


def test_fresh_run_drops_a_stale_snapshot_and_autosaves(embedder, tmp_path):
    texts = _texts(30)
    path = tmp_path / "store.faiss"
    restore(DuplicateStore(embedder, threshold=0.8), [f"a{i}" for i in range(10)], texts[:10], path)
    store = DuplicateStore(embedder, threshold=0.8)
    restore(store, [], [], path, every=5)
    assert not path.exists()
    for i in range(12):
        store.check_and_add(f"n{i}", texts[i])
    # Saved before the 6th and the 11th insert: it covers the first 10 rows.
    meta = json.loads(path.with_name("store.faiss.json").read_text())
    assert meta["count"] == 10
    resumed = DuplicateStore(embedder, threshold=0.8)
    assert restore(resumed, [f"n{i}" for i in range(12)], texts[:12], path) == 10
