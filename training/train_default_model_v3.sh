#!/usr/bin/env bash
# Trains model 3's GPT (config landscapes-v3-painted) on from the shipped 2.x bundle's weights: the
# image VQGAN and the segmentation VQGAN are 2.x's, written back out of the bundle; the data is a
# mixture of painted-style layouts and procedural landscapes (--painted-share); then export, stride
# and evaluation on both held-out sets (procedural and painted).
#
#   training/train_default_model_v3.sh                         all stages, CPU, resumable (RESUME=1)
#   STAGES="data tokens" ...                                     on any machine
#   STAGES="gpt" DEVICE=cuda GPT_BUDGET= STEPS_GPT=3000 ...      on a GPU (an H200 runs a step in ~45 ms)
#   STAGES="export eval" VERSION=3.0.0 ...                       back on the CPU machine
#   STAGES="decoder" ...                                         the image decoder fine-tune (tokens unchanged)
#   training/device_run_v3.sh                                    decoder + GPT in one lent-GPU run (see there)
#
# GPT_BUDGET (seconds) fits the step count to the time a CPU session has (training.time_budget); the
# step count reached is kept in the checkpoint and goes into the model card.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-/work/runs/landscapes-v3}
DEVICE=${DEVICE:-auto}
STAGES=${STAGES:-"weights data tokens gpt export eval"}
FROM_BUNDLE=${FROM_BUNDLE:-assets/models/tessera-landscapes-v1}
BUNDLE_OUT=${BUNDLE_OUT:-$RUN/bundle}
VERSION=${VERSION:-3.0.0-rc}
TRAIN_SCENES=${TRAIN_SCENES:-2400}
PAINTED_SHARE=${PAINTED_SHARE:-0.5}
WORKERS=${WORKERS:-$(nproc)}
THREADS=${THREADS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}
GPT_BUDGET=${GPT_BUDGET-5400}
DECODER_BUDGET=${DECODER_BUDGET-3600}
DECODER_CONFIG=${DECODER_CONFIG:-landscapes-v3-gpu}
GPT_CONFIG=${GPT_CONFIG:-landscapes-v3-painted}
budget() { [ -n "$1" ] && echo "--time-budget $1" || true; }
steps() { [ -n "$1" ] && echo "--steps $1" || true; }
export PYTHONUNBUFFERED=1 OPENBLAS_NUM_THREADS=1
DEFAULT_DESCRIPTION="Default model: procedural landscapes and painted-style layouts (synthetic), trained with Tessera's toolkit (see MODEL_CARD.md)"
DESCRIPTION=${DESCRIPTION:-$DEFAULT_DESCRIPTION}

mkdir -p "$RUN/export"
has() { [[ " $STAGES " == *" $1 "* ]]; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

if has weights; then
  log "2.x weights out of $FROM_BUNDLE"
  [ -f "$RUN/export/gpt.ckpt" ] || $PY -m training.checkpoints_from_bundle "$FROM_BUNDLE" "$RUN/export"
fi

if has data; then
  log "rendering $TRAIN_SCENES training scenes, painted share $PAINTED_SHARE ($WORKERS workers)"
  [ -f "$RUN/data-train/meta.json" ] || $PY -m training.data.generate --out "$RUN/data-train" --count "$TRAIN_SCENES" \
      --seed-start 0 --size 256x256 --painted-share "$PAINTED_SHARE" --workers "$WORKERS" --quiet
fi

if has tokens; then
  log "tokens"
  [ -f "$RUN/tokens.npz" ] || $PY -m training.encode_tokens --data "$RUN/data-train" --image-vqgan "$RUN/export/image-vqgan.ckpt" \
      --seg-vqgan "$RUN/export/seg-vqgan.ckpt" --out "$RUN/tokens.npz" --device "$DEVICE" --batch-size 32 --threads "$THREADS" --no-progress
  $PY -m training.class_balance --tokens "$RUN/tokens.npz" --data "$RUN/data-train" --if-missing
fi

if has decoder; then
  # Encoder and codebook stay 2.x's: the tokens above, and every GPT trained on them, stay valid.
  log "image decoder, $DECODER_CONFIG ($(budget "$DECODER_BUDGET") $(steps "${STEPS_DECODER:-}"))"
  $PY -m training.finetune_decoder --config "$DECODER_CONFIG" --vqgan "$RUN/export/image-vqgan.ckpt" --data "$RUN/data-train" \
      --out "$RUN/decoder" --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$DECODER_BUDGET") $(steps "${STEPS_DECODER:-}") \
      ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/decoder/last.ckpt" "$RUN/export/image-vqgan-v3.ckpt"
  cp "$RUN/decoder/metrics.jsonl" "$RUN/export/decoder-v3-metrics.jsonl"
fi

if has gpt; then
  log "GPT, $GPT_CONFIG ($(budget "$GPT_BUDGET") $(steps "${STEPS_GPT:-}"))"
  $PY -m training.train_gpt --config "$GPT_CONFIG" --tokens "$RUN/tokens.npz" --out "$RUN/gpt" \
      --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$GPT_BUDGET") $(steps "${STEPS_GPT:-}") \
      --init-from "$RUN/export/gpt.ckpt" ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/gpt/last.ckpt" "$RUN/export/gpt-v3.ckpt"
  cp "$RUN/gpt/metrics.jsonl" "$RUN/export/gpt-v3-metrics.jsonl"
fi

if has export; then
  log "export -> $BUNDLE_OUT"
  rm -rf "$BUNDLE_OUT"
  # The fine-tuned decoder when the decoder stage has run (here or on a GPU), else 2.x's.
  IMAGE_VQGAN=${IMAGE_VQGAN:-$([ -f "$RUN/export/image-vqgan-v3.ckpt" ] && echo "$RUN/export/image-vqgan-v3.ckpt" || echo "$RUN/export/image-vqgan.ckpt")}
  log "image VQGAN: $IMAGE_VQGAN"
  $PY -m training.export_bundle --image-vqgan "$IMAGE_VQGAN" --seg-vqgan "$RUN/export/seg-vqgan.ckpt" \
      --gpt "${GPT:-$RUN/export/gpt-v3.ckpt}" --out "$BUNDLE_OUT" --id tessera-landscapes-v1 --version "$VERSION" \
      --name "Tessera Landscapes v1" --description "$DESCRIPTION" --fp16-vqgans --sampler parallel --lead 2 --parallel-order wavefront --stride 8 --top-k 100
fi

if has eval; then
  log "evaluate (procedural and painted held-out, 256 px)"
  $PY -m training.evaluate --bundle "$BUNDLE_OUT" --threads 2 --layout-set both --fidelity-size 256 --scenes 100 --judge-scenes 100 \
      --judge training/judge/judge-v3.pt --fidelity-sampler model --skip vqgan,seg,gpt,exact --out "$RUN/metrics-256.json" > "$RUN/eval-256.log" 2>&1
  log "metrics: $RUN/metrics-256.json"
fi
log "done"
