"""How a check says it could not run, so every section reports it the same way."""

from __future__ import annotations

import math
from typing import Any

OK = "ok"
NOT_ENOUGH_DATA = "not_enough_data"


def not_enough_data(reason: str) -> dict[str, Any]:
    return {"status": NOT_ENOUGH_DATA, "reason": reason}


def rounded(value: float | None, digits: int = 4) -> float | None:
    """JSON-safe: a value that is not a finite number is reported as not computed (null)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)
