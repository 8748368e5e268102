import threading

import numpy as np
import pytest

from reviewgen.vectorstore import DuplicateStore, build_embedder

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
