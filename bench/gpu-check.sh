#!/usr/bin/env bash
# Is this machine's GPU usable by Tessera, and how fast is it against the CPU? One command:
#
#   bash bench/gpu-check.sh [--cpu-only] [--quick] [--no-install] [--out DIR] [--sflckr DIR]
#
# 1. installs what is missing: the npm packages (npm ci, ONNXRUNTIME_NODE_INSTALL=skip: the CPU
#    and WebGPU providers ship in onnxruntime-node; its CUDA download is not used), the Vulkan
#    loader (libvulkan1) that WebGPU needs on Linux, and the Python packages that make the
#    full-size random bundle; Debian packages only when they are not installed already;
# 2. prints the WebGPU adapter the engine's probe finds and what `--backend auto` would choose;
# 3. runs `npm run bench -- --quick --no-python` on the default model and on a random-weight bundle
#    of the converted S-FLCKR size (bench/make_random_bundle.py --shape sflckr, made once), on
#    webgpu and on cpu;
# 4. writes DIR/report.md and DIR/report.json (bench/gpu-report.ts) beside the bench results.
#
# --cpu-only    skip the WebGPU runs (and the Vulkan loader)
# --quick       the tiny fixture bundle only (seconds; what the test runs)
# --no-install  never install anything; fail where something is missing
# Exit code: 0 when every run succeeded, 1 when one failed (listed in the report), 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CPU_ONLY=0
QUICK=0
INSTALL=1
OUT="$ROOT/bench/results/gpu-check-$(date -u +%Y-%m-%d-%H-%M-%S)"
SFLCKR=/tmp/tessera-bench-sflckr
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu-only) CPU_ONLY=1 ;;
    --quick) QUICK=1 ;;
    --no-install) INSTALL=0 ;;
    --out) OUT="$2"; shift ;;
    --sflckr) SFLCKR="$2"; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$OUT"
: > "$OUT/failures.txt"
say() { printf '\n== %s\n' "$*"; }
fail() { echo "$*" | tee -a "$OUT/failures.txt" >&2; }

# --- 1. what is needed -------------------------------------------------------------------------
missing_debs() {
  local p missing=()
  for p in "$@"; do
    [ -n "$p" ] || continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  echo "${missing[@]:-}"
}
apt_install() {
  [ $# -eq 0 ] && return 0
  if [ "$INSTALL" = 0 ]; then echo "gpu-check: missing Debian packages: $* (run without --no-install, or install them)" >&2; return 1; fi
  local sudo=""
  [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && sudo=sudo
  echo "installing Debian packages: $*"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "gpu-check: Node.js >= 20.19 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
# An existing node_modules is trusted (npm ci would delete and rebuild it under whoever is using it).
if [ ! -d node_modules/onnxruntime-node ] || [ ! -x node_modules/.bin/tsx ]; then
  if [ "$INSTALL" = 0 ]; then echo "gpu-check: node_modules is missing (run without --no-install)" >&2; exit 1; fi
  say "npm ci (ONNXRUNTIME_NODE_INSTALL=skip)"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
if command -v dpkg-query >/dev/null; then
  debs=()
  [ "$CPU_ONLY" = 0 ] && debs+=(libvulkan1)
  [ "$QUICK" = 0 ] && [ ! -f "$SFLCKR/manifest.json" ] && debs+=(python3-torch python3-onnx python3-numpy python3-yaml python3-jsonschema python3-pil)
  # shellcheck disable=SC2046  # word splitting of the package list is intended
  apt_install $(missing_debs "${debs[@]:-}") || exit 1
fi
TSX="$ROOT/node_modules/.bin/tsx"

# --- 2. the adapter ----------------------------------------------------------------------------
say "WebGPU adapter"
if "$TSX" bench/gpu-adapter.ts > "$OUT/adapter.json"; then
  cat "$OUT/adapter.json"
else
  fail "adapter probe: failed to run"
fi
if [ "$CPU_ONLY" = 0 ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && ! ls /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1; then
  echo "note: no Vulkan driver manifest (icd.d) is installed. An NVIDIA GPU needs its driver's nvidia_icd.json; in a container, run it with NVIDIA_DRIVER_CAPABILITIES=all (the default 'compute,utility' leaves Vulkan out)."
fi

# --- 3. the runs -------------------------------------------------------------------------------
models=()
if [ "$QUICK" = 1 ]; then
  models+=("$ROOT/assets/fixtures/tessera-tiny|16,32")
else
  models+=("$ROOT/assets/models/tessera-landscapes-v1|16,32")
  if [ ! -f "$SFLCKR/manifest.json" ]; then
    say "making the full-size random bundle (S-FLCKR shape) in $SFLCKR"
    /usr/bin/python3 bench/make_random_bundle.py --shape sflckr --out "$SFLCKR" --threads "$(nproc)" || fail "make_random_bundle --shape sflckr failed"
  fi
  # f16: 16×16 tokens are 256×256 px, one window.
  [ -f "$SFLCKR/manifest.json" ] && models+=("$SFLCKR|16")
fi
backends=(cpu)
[ "$CPU_ONLY" = 0 ] && backends=(webgpu cpu)
for entry in "${models[@]}"; do
  model=${entry%%|*}
  sizes=${entry##*|}
  for backend in "${backends[@]}"; do
    say "bench: $(basename "$model") on $backend"
    if ! "$TSX" bench/run.ts --model "$model" --backend "$backend" --quick --no-python --sizes "$sizes" --out "$OUT"; then
      fail "bench $(basename "$model") on $backend failed"
    fi
  done
done

# --- 4. the report -----------------------------------------------------------------------------
say "report ($OUT)"
"$TSX" bench/gpu-report.ts "$OUT"
[ -s "$OUT/failures.txt" ] && exit 1
exit 0
