#!/usr/bin/env bash
# Trains the embedded default model (tessera-landscapes-v1) end to end on CPU, resumably:
# every stage checkpoints into $RUN/<stage>/ and this script can be re-run at any point; finished
# stages are skipped and an interrupted one continues from its last.ckpt.
#
#   training/train_default_model.sh                    # everything, into /work/runs/landscapes-v1
#   RUN=/path/to/run STAGES="image seg" training/train_default_model.sh
#
# Stages (STAGES, default all, in this order): data judge image seg tokens gpt export eval
#   data    render the training set (seeds 0..9999, 256x256), the token set (seeds 0..$TOKEN_SCENES-1)
#           and the in-training held-out set (seeds 10_000_000..+255)
#   judge   the layout-fidelity judge (training/judge.py) -> training/judge/judge-v1.pt
#   image   image VQGAN  (python3 -m training.train_vqgan)
#   seg     seg VQGAN    (python3 -m training.train_segvqgan)   image and seg run in parallel (PARALLEL=1)
#   tokens  python3 -m training.encode_tokens
#   gpt     python3 -m training.train_gpt
#   export  python3 -m training.export_bundle -> $BUNDLE
#   eval    python3 -m training.evaluate -> $BUNDLE/metrics.json, $BUNDLE/sample-grid.png
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-/work/runs/landscapes-v1}
CONFIG=${CONFIG:-landscapes-v1}
BUNDLE=${BUNDLE:-assets/models/tessera-landscapes-v1}
STAGES=${STAGES:-"data judge image seg tokens gpt export eval"}
PARALLEL=${PARALLEL:-1}
# Torch threads per process. On a busy shared machine use 1 everywhere: with more runnable threads
# than cores, OpenMP's barriers make a 2-thread process 4-7x slower than a 1-thread one (measured).
# THREADS is used by every stage except the parallel image+seg pair (one thread each).
THREADS=${THREADS:-2}
TRAIN_SCENES=${TRAIN_SCENES:-10000}
TOKEN_SCENES=${TOKEN_SCENES:-4000}
export OPENBLAS_NUM_THREADS=1

mkdir -p "$RUN"
has() { [[ " $STAGES " == *" $1 "* ]]; }
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$RUN/pipeline.log"; }
resume_flag() { [ -f "$1/last.ckpt" ] && echo "--resume" || true; }

dataset() {  # folder count seed_start
  if [ ! -f "$1/meta.json" ]; then
    rm -rf "$1"
    log "rendering $2 scenes from seed $3 -> $1"
    $PY -m training.data.generate --out "$1" --count "$2" --seed-start "$3" --size 256x256 --workers 2 --quiet
  fi
}

if has data; then
  dataset "$RUN/data-train" "$TRAIN_SCENES" 0
  if [ ! -f "$RUN/data-tokens/meta.json" ]; then
    # The GPT's token set: the first $TOKEN_SCENES training scenes (the same seeds, copied, not re-rendered).
    log "token set: first $TOKEN_SCENES scenes of data-train -> data-tokens"
    $PY - "$RUN/data-train" "$RUN/data-tokens" "$TOKEN_SCENES" <<'PYEOF'
import json, sys
from pathlib import Path
import numpy as np
src, dst, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
dst.mkdir(parents=True, exist_ok=True)
meta = json.loads((src / "meta.json").read_text())
for name in ("images", "labels"):
    a = np.load(src / f"{name}.npy", mmap_mode="r")[:n]
    np.save(dst / f"{name}.npy", np.ascontiguousarray(a))
    meta["files"][name]["shape"] = list(a.shape)
meta["count"], meta["seeds"] = n, meta["seeds"][:n]
(dst / "meta.json").write_text(json.dumps(meta))
PYEOF
  fi
  dataset "$RUN/data-heldout" 256 10000000
fi

if has judge; then
  log "judge"
  $PY -m training.judge train --out "$RUN/judge" --steps 600 --threads "$THREADS" $(resume_flag "$RUN/judge") > "$RUN/judge.log" 2>&1
fi

vqgan() {  # stage module threads
  local out="$RUN/$1"
  mkdir -p "$out"
  log "$1: start ($(resume_flag "$out"))"
  $PY -m "$2" --config "$CONFIG" --data "$RUN/data-train" --eval-data "$RUN/data-heldout" --out "$out" \
      --threads "$3" --no-progress $(resume_flag "$out") >> "$out/train.log" 2>&1
  log "$1: done"
}

if has image && has seg && [ "$PARALLEL" = 1 ]; then
  vqgan image-vqgan training.train_vqgan 1 &
  p1=$!
  vqgan seg-vqgan training.train_segvqgan 1 &
  p2=$!
  wait $p1
  wait $p2
else
  if has image; then vqgan image-vqgan training.train_vqgan "$THREADS"; fi
  if has seg; then vqgan seg-vqgan training.train_segvqgan "$THREADS"; fi
fi

if has tokens && [ ! -f "$RUN/tokens.npz" ]; then
  log "tokens"
  $PY -m training.encode_tokens --data "$RUN/data-tokens" --image-vqgan "$RUN/image-vqgan/last.ckpt" \
      --seg-vqgan "$RUN/seg-vqgan/last.ckpt" --out "$RUN/tokens.npz" --bf16 --batch-size 1 --threads "$THREADS" --no-progress > "$RUN/tokens.log" 2>&1
fi

if has gpt; then
  mkdir -p "$RUN/gpt"
  log "gpt: start ($(resume_flag "$RUN/gpt"))"
  $PY -m training.train_gpt --config "$CONFIG" --tokens "$RUN/tokens.npz" --out "$RUN/gpt" --threads "$THREADS" --no-progress \
      $(resume_flag "$RUN/gpt") >> "$RUN/gpt/train.log" 2>&1
  log "gpt: done"
fi

if has export; then
  log "export -> $BUNDLE"
  rm -rf "$BUNDLE"
  $PY -m training.export_bundle --image-vqgan "$RUN/image-vqgan/last.ckpt" --seg-vqgan "$RUN/seg-vqgan/last.ckpt" \
      --gpt "$RUN/gpt/last.ckpt" --out "$BUNDLE" --id tessera-landscapes-v1 --name "Tessera Landscapes v1" \
      --description "Default model: procedural landscapes (synthetic), trained with Tessera's toolkit on CPU" \
      --int8 ${EXPORT_FLAGS:-}
fi

if has eval; then
  log "evaluate"
  $PY -m training.evaluate --bundle "$BUNDLE" --threads "$THREADS" --out "$RUN/metrics.json" --grid "$BUNDLE/sample-grid.png" \
      ${EVAL_FLAGS:-} > "$RUN/eval.log" 2>&1
  log "metrics: $RUN/metrics.json"
fi
