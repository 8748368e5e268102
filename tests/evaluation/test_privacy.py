from reviewgen.core.datasets import ReviewRow
from reviewgen.evaluation.privacy import masked_excerpt, scan_pii
from reviewgen.text.pii import find_pii
from tests.evaluation.corpus import make_reviews

LEAKS = [
    "Support never answered, write to jane.doe@example.com if you want the details.",
    "Call me on (415) 555-0134 and I will sell you mine.",
    "Full specs at www.phone-deals-example.com/specs, worth a look.",
]


def test_personal_data_is_counted_by_kind_and_masked():
    rows = make_reviews(97, 1) + [ReviewRow(text=t, rating=3) for t in LEAKS]
    result = scan_pii(rows)
    assert result["rows"] == 100
    assert result["rows_with_pii"] == 3
    assert result["rate"] == 0.03
    assert {"email", "phone", "url"} <= set(result["by_kind"])
    assert result["by_kind"]["email"] == {"rows": 1, "spans": 1}
    excerpts = " ".join(e["excerpt"] for e in result["examples"])
    for secret in ("jane.doe@example.com", "555-0134", "phone-deals-example"):
        assert secret not in excerpts
    assert "[EMAIL]" in excerpts and "[PHONE]" in excerpts and "[URL]" in excerpts


def test_clean_reviews_have_no_personal_data():
    result = scan_pii(make_reviews(200, 1))
    assert result["rows_with_pii"] == 0 and result["rate"] == 0.0 and result["examples"] == []


def test_excerpt_masks_every_span_and_centres_on_one():
    text = "Mail a@b.co or c@d.co, " + "x " * 60 + "then call (415) 555-0134 today."
    spans = find_pii(text)
    excerpt = masked_excerpt(text, spans, focus=len(spans) - 1)
    assert "[PHONE]" in excerpt and excerpt.startswith("…")
    assert "@" not in masked_excerpt(text, spans, focus=0)
