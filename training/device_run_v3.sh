#!/usr/bin/env bash
# Model 3's GPU stages as one prepared run of the `device` tool (a lent H200; a session has 15
# minutes of its time, the machine's start included). From the repository root there:
#
#   run: bash training/device_run_v3.sh        (timeout_s 560: the budgets below end it in ~7 min, estimated from 2.0.0's H200 step times)
#
# It renders the training scenes (procedural + painted-style), writes 2.x/2.3.0's weights out of the
# embedded bundle, encodes the tokens, fine-tunes the image decoder (landscapes-v3-gpu: tokens
# unchanged) and trains 2.3.0's GPT on, then packs the two weight files into $OUT in parts the tool
# can bring back (at most 16 MiB a file). Back on the CPU machine:
#
#   training/device_unpack_v3.sh /work/.device/<files_at> /work/runs/landscapes-v3-gpu
#   RUN=/work/runs/landscapes-v3-gpu STAGES="export eval" VERSION=3.0.0 training/train_default_model_v3.sh
#
# DRY=1 OUT=/tmp/dry runs the same stages and configs on this machine's CPU, with 3-second budgets
# (one step each) and 8 scenes: ~3 minutes, so a lease is never spent finding a typo.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?OUT must name the folder the device tool brings back}"
if [ -n "${DRY:-}" ]; then
  export PY=${PY:-/usr/bin/python3} DEVICE=cpu TRAIN_SCENES=${TRAIN_SCENES:-8} WORKERS=1 THREADS=1
  export DECODER_BUDGET=3 GPT_BUDGET=3
else
  export PY=${PY:-python3} DEVICE=cuda TRAIN_SCENES=${TRAIN_SCENES:-8000} WORKERS=${WORKERS:-$(nproc)} THREADS=${THREADS:-8}
  export DECODER_BUDGET=${DECODER_BUDGET:-130} GPT_BUDGET=${GPT_BUDGET:-190}
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
fi
export DECODER_CONFIG=${DECODER_CONFIG:-landscapes-v3-gpu} GPT_CONFIG=${GPT_CONFIG:-landscapes-v3-gpu}
export RUN=${RUN:-/tmp/landscapes-v3-gpu}
START=$SECONDS
# The stages stop themselves (time budgets); the limit is a guard, so that the packing below always
# runs inside the tool's timeout and a slow stage costs its own result, not the whole lease's.
timeout --signal=INT "${STAGE_LIMIT:-470}" env STAGES="weights data tokens decoder gpt" bash training/train_default_model_v3.sh 2>&1 \
  | tee "$OUT/log.txt" || echo "stages stopped early (exit ${PIPESTATUS[0]}): packing what finished" | tee -a "$OUT/log.txt"
echo "stages took $((SECONDS - START)) s" | tee -a "$OUT/log.txt"
# A stage cut short still has its last checkpoint: slim it so it comes back too.
for stage in "decoder image-vqgan-v3 decoder-v3" "gpt gpt-v3 gpt-v3"; do
  read -r run weights metrics <<<"$stage"
  if [ ! -f "$RUN/export/$weights.ckpt" ] && [ -f "$RUN/$run/last.ckpt" ]; then
    $PY -m training.slim_checkpoint "$RUN/$run/last.ckpt" "$RUN/export/$weights.ckpt"
    cp "$RUN/$run/metrics.jsonl" "$RUN/export/$metrics-metrics.jsonl" 2>/dev/null || true
  fi
done
# Checkpoints hold CPU tensors (they load here as they are). tar keeps the names; split keeps each
# part under the tool's 16 MiB a file.
files=()
for f in image-vqgan-v3.ckpt gpt-v3.ckpt decoder-v3-metrics.jsonl gpt-v3-metrics.jsonl; do
  [ -f "$RUN/export/$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || { echo "nothing finished to bring back" >&2; exit 1; }
tar -C "$RUN/export" -cf - "${files[@]}" | split -b 15M -d - "$OUT/weights.tar.part"
ls -l "$OUT"
