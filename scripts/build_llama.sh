#!/usr/bin/env bash
# Build llama-cpp-python once, without the CPU-native kernels that crash on AMX CPUs
# (docs/HISTORY.md), and keep the wheel in a cache keyed by version and flags, so a stale or
# crashed build from elsewhere is never picked up by accident.
set -euo pipefail
PY=${1:?usage: build_llama.sh PYTHON}
VERSION=0.3.36
FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
KEY=$(printf '%s %s' "$VERSION" "$FLAGS" | sha256sum | cut -c1-12)
DIR="${REVIEWGEN_WHEEL_CACHE:-$HOME/.cache/reviewgen/wheels}/llama-cpp-python-$VERSION-$KEY"
if "$PY" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$VERSION')" 2>/dev/null \
   && [ -f "$("$PY" -c 'import sys; print(sys.prefix)')/.llama-build-$KEY" ]; then
  exit 0
fi
if ! ls "$DIR"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "building llama-cpp-python $VERSION without native AMX kernels (about 4 min on 2 cores, once)" >&2
  rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp"
  CMAKE_ARGS="$FLAGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$PY" -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
    -w "$DIR.tmp" "llama-cpp-python==$VERSION"
  rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
fi
"$PY" -m pip install --force-reinstall --no-index --no-deps --find-links "$DIR" "llama-cpp-python==$VERSION"
"$PY" -m pip install "llama-cpp-python==$VERSION"  # its pure-Python dependencies
touch "$("$PY" -c 'import sys; print(sys.prefix)')/.llama-build-$KEY"
