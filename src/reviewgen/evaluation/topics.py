"""Do synthetic reviews talk about the same things (camera, battery, ...) as often as real ones?"""

from __future__ import annotations

from typing import Any

from reviewgen.evaluation.profile import SetProfile
from reviewgen.evaluation.status import OK, not_enough_data, rounded

MIN_ROWS = 20


def compare_topics(
    synthetic: SetProfile, real: SetProfile, aspects: list[str] | None
) -> dict[str, Any]:
    if not aspects:
        return not_enough_data("no aspect lexicon given (config category.aspects)")
    if min(synthetic.rows, real.rows) < MIN_ROWS:
        return not_enough_data(
            f"needs at least {MIN_ROWS} reviews per set "
            f"(synthetic {synthetic.rows}, real {real.rows})"
        )
    shares = {}
    for aspect in aspects:
        syn = synthetic.aspects[aspect] / synthetic.rows
        ref = real.aspects[aspect] / real.rows
        shares[aspect] = {
            "synthetic": rounded(syn),
            "real": rounded(ref),
            "gap": rounded(syn - ref),
        }
    gaps = [abs(s["gap"]) for s in shares.values()]
    return {
        "status": OK,
        "aspects": shares,
        "max_abs_gap": rounded(max(gaps)),
        "mean_abs_gap": rounded(sum(gaps) / len(gaps)),
    }
