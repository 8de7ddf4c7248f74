#!/usr/bin/env bash
# Runs the toolkit's Python tests with the interpreter that has Debian's torch, onnx and pytest.
# The `python3` first on PATH may be another interpreter without them, so find the right one.
set -euo pipefail
cd "$(dirname "$0")/.."
py=""
for candidate in "${TESSERA_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import torch, onnx, pytest' >/dev/null 2>&1; then py="$candidate"; break; fi
done
if [ -z "$py" ]; then
  echo "No Python with torch, onnx and pytest found. Install them: apt-get install python3-torch python3-onnx python3-pytest libopenblas0-pthread" >&2
  exit 1
fi
export OPENBLAS_NUM_THREADS=1
exec "$py" -m pytest training -q -p no:cacheprovider "$@"
