#!/usr/bin/env bash
# Style transfer: write like the 1-star reviewers of a dataset (docs/TUNE.md).
#   bash examples/style_transfer.sh REVIEWS.csv [OUT_DIR]
# REVIEWS.csv needs text and rating columns (product is used when present). Needs the tune
# extra (README "Tuning"); run it with the virtualenv's bin/ on PATH.
set -euo pipefail
REVIEWS=${1:?usage: style_transfer.sh REVIEWS.csv [OUT_DIR]}
OUT=${2:-out-style}
PY=${PYTHON:-python3}
mkdir -p "$OUT"

# 1. The source voice: only the reviews given 1 star.
"$PY" - "$REVIEWS" "$OUT/one_star.csv" <<'EOF'
import csv
import sys

source, target = sys.argv[1:]
with open(source, newline="", encoding="utf-8") as handle:
    reader = csv.DictReader(handle)
    rows = [row for row in reader if (row.get("rating") or "").strip() in {"1", "1.0"}]
with open(target, "w", newline="", encoding="utf-8") as handle:
    writer = csv.DictWriter(handle, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
print(f"{len(rows)} one-star reviews in {target}")
EOF

# 2. Learn it: a LoRA adapter of the embedded model (rerun the same line to resume).
reviewgen tune --reference "$OUT/one_star.csv" --out "$OUT/adapter"

# 3. Write with it: the tuned model alone (no few-shot examples), one-star plans, lengths and
#    products calibrated from the same reviews.
reviewgen generate --reference "$OUT/one_star.csv" --count 20 --out "$OUT/reviews" --overwrite \
  --set models.writer.adapter="$OUT/adapter" \
  --set 'persona.ratings={1: 1.0}'
echo "reviews: $OUT/reviews/reviews.jsonl"
