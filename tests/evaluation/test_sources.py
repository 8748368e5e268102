from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.sampling import Reservoir, equal_size, subsample
from reviewgen.evaluation.sources import ReviewSource, as_source, is_held_out, stream_parts


def test_reservoirs_with_one_seed_keep_the_same_positions_whatever_the_items():
    texts, numbers = Reservoir[str](10, "0:synthetic"), Reservoir[int](10, "0:synthetic")
    for i in range(1000):
        texts.offer(f"review {i}")
        numbers.offer(i)
    assert [int(t.split()[1]) for t in texts.items] == numbers.items
    assert len(numbers.items) == 10 and numbers.offered == 1000
    other = Reservoir[int](10, "1:synthetic")
    for i in range(1000):
        other.offer(i)
    assert other.items != numbers.items


def test_reservoir_is_uniform():
    hits = [0] * 10
    for seed in range(300):
        reservoir = Reservoir[int](5, str(seed))
        for i in range(10):
            reservoir.offer(i)
        for item in reservoir.items:
            hits[item] += 1
    assert all(120 < h < 180 for h in hits)  # 150 expected each


def test_split_is_seeded_stateless_and_near_the_share():
    held = [is_held_out(i, 7, 0.2) for i in range(5000)]
    assert held == [is_held_out(i, 7, 0.2) for i in range(5000)]
    assert 0.18 < sum(held) / 5000 < 0.22
    assert held != [is_held_out(i, 8, 0.2) for i in range(5000)]


def test_parts_stream_in_a_fixed_order():
    ref = [ReviewRow(text=f"r{i}") for i in range(50)]
    parts = [
        p for p, _ in stream_parts([ReviewRow(text="s")], ref, None, seed=0, holdout_share=0.3)
    ]
    assert parts[-1] == "synthetic" and set(parts[:-1]) == {"reference", "holdout"}
    explicit = [
        p
        for p, _ in stream_parts(
            [ReviewRow(text="s")], ref, [ReviewRow(text="h")], seed=0, holdout_share=0.3
        )
    ]
    assert explicit == ["reference"] * 50 + ["holdout", "synthetic"]


def test_as_source_keeps_lists_and_reads_one_shot_iterators(tmp_path):
    rows = [ReviewRow(text="a")]
    assert as_source(rows) is rows
    assert as_source(iter(rows)) == rows
    assert isinstance(as_source(tmp_path / "x.csv"), ReviewSource)


def test_subsamples():
    assert list(subsample(5, 10, 0)) == [0, 1, 2, 3, 4]
    picked = subsample(100, 10, 0)
    assert len(set(picked)) == 10 and list(picked) == sorted(picked)
    a, b = equal_size(30, 7, 0)
    assert len(a) == len(b) == 7
