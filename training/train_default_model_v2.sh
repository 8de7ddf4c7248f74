#!/usr/bin/env bash
# Trains version 2 of the embedded default model (config landscapes-v2): render the data, train the
# image VQGAN, encode the tokens, train the GPT (the training stages, on a GPU when there is one),
# then export the bundle, choose its stride and measure it (on any machine with node and
# onnxruntime-node: the engine runs there).
#
#   SEG_VQGAN=runs/landscapes-v1/seg-decoder/last.ckpt training/train_default_model_v2.sh
#   STAGES="data image tokens gpt" ...   on the GPU machine (how 2.0.0 was made: an H200, 6 minutes)
#   STAGES="export stride eval" ...      back on the CPU machine, with RUN holding the GPU run's export/
#   STAGES="gpt2" ...                     more GPT training from export/gpt.ckpt on tokens.npz (then
#                                         GPT=export/gpt2.ckpt STAGES="export stride eval")
#   STAGES="balanced" ...                 the same, class-balanced (how 2.1.0's GPT was made; then
#                                         GPT=export/gpt-balanced.ckpt VERSION=2.1.0 STAGES="export eval")
#   STAGES="multiscale" ...               2.1.x's GPT on, half of each batch from 128 px scenes
#                                         (then GPT=export/gpt-multiscale.ckpt ...)
#
# Without the run that made the shipped model, training.checkpoints_from_bundle writes its weights
# back out: `python3 -m training.checkpoints_from_bundle assets/models/tessera-landscapes-v1
# $RUN/export` gives export/image-vqgan.ckpt, seg-vqgan.ckpt and gpt.ckpt (SEG_VQGAN= and
# INIT_GPT= then name the latter two) to continue from, as the multiscale experiment did.
#
# Each training stage gets a wall-clock budget (--time-budget): the step counts it reached are
# printed, kept in the checkpoints and in the model card. On a CPU, pass them back (STEPS_VQGAN,
# STEPS_GPT) and leave the budgets out (VQGAN_BUDGET= GPT_BUDGET=): the same commands then train the
# same model, only slower (the card has the measured CPU step times), resumably with --resume.
# The segmentation VQGAN (cond tokens) is v1's (landscapes-v1-seg-conv + its decoder fine-tune),
# passed in as a checkpoint: v2 leaves it unchanged.
set -euo pipefail

cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-/work/runs/landscapes-v2}
CONFIG=${CONFIG:-landscapes-v2}
DEVICE=${DEVICE:-auto}
STAGES=${STAGES:-"data image tokens gpt export stride eval"}
BUNDLE=${BUNDLE:-assets/models/tessera-landscapes-v1}
VERSION=${VERSION:-2.0.0}
SEG_VQGAN=${SEG_VQGAN:?SEG_VQGAN must name the segmentation VQGAN checkpoint}
TRAIN_SCENES=${TRAIN_SCENES:-8000}
SCENES_128=${SCENES_128:-4000}  # the multiscale stage's 128 px scenes
# (a variable: bash 5.2 reads an apostrophe inside "${VAR:-…}" as an opening quote)
DEFAULT_DESCRIPTION="Default model: procedural landscapes (synthetic), trained with Tessera's toolkit (see MODEL_CARD.md)"
DESCRIPTION=${DESCRIPTION:-$DEFAULT_DESCRIPTION}
WORKERS=${WORKERS:-$(nproc)}
THREADS=${THREADS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}  # torch threads: more than the cores only fight
VQGAN_BUDGET=${VQGAN_BUDGET-190}   # seconds; empty: no budget
GPT_BUDGET=${GPT_BUDGET-170}
budget() { [ -n "$1" ] && echo "--time-budget $1" || true; }
steps() { [ -n "$1" ] && echo "--steps $1" || true; }
export PYTHONUNBUFFERED=1 OPENBLAS_NUM_THREADS=1

mkdir -p "$RUN/export"
has() { [[ " $STAGES " == *" $1 "* ]]; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

if has data; then
  log "rendering $TRAIN_SCENES training scenes + 256 held-out ($WORKERS workers)"
  [ -f "$RUN/data-train/meta.json" ] || $PY -m training.data.generate --out "$RUN/data-train" --count "$TRAIN_SCENES" --seed-start 0 --size 256x256 --workers "$WORKERS" --quiet
  [ -f "$RUN/data-heldout/meta.json" ] || $PY -m training.data.generate --out "$RUN/data-heldout" --count 256 --seed-start 10000000 --size 256x256 --workers "$WORKERS" --quiet
fi

if has image; then
  log "image VQGAN ($(budget "$VQGAN_BUDGET") $(steps "${STEPS_VQGAN:-}"))"
  $PY -m training.train_vqgan --config "$CONFIG" --data "$RUN/data-train" --eval-data "$RUN/data-heldout" --out "$RUN/image-vqgan" \
      --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$VQGAN_BUDGET") $(steps "${STEPS_VQGAN:-}") ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/image-vqgan/last.ckpt" "$RUN/export/image-vqgan.ckpt"
  cp "$RUN/image-vqgan/metrics.jsonl" "$RUN/export/image-vqgan-metrics.jsonl"
fi

if has tokens; then
  log "tokens"
  $PY -m training.encode_tokens --data "$RUN/data-train" --image-vqgan "$RUN/export/image-vqgan.ckpt" --seg-vqgan "$SEG_VQGAN" \
      --out "$RUN/tokens.npz" --count "$TRAIN_SCENES" --device "$DEVICE" --batch-size 64 --threads "$THREADS" --no-progress
fi

if has gpt; then
  log "GPT ($(budget "$GPT_BUDGET") $(steps "${STEPS_GPT:-}"))"
  $PY -m training.train_gpt --config "$CONFIG" --tokens "$RUN/tokens.npz" --out "$RUN/gpt" \
      --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$GPT_BUDGET") $(steps "${STEPS_GPT:-}") ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/gpt/last.ckpt" "$RUN/export/gpt.ckpt"
  cp "$RUN/gpt/metrics.jsonl" "$RUN/export/gpt-metrics.jsonl"
fi

if has gpt2; then  # more GPT training from export/gpt.ckpt (config landscapes-v2-gpt2); not in the default stages
  log "GPT, stage 2 ($(budget "$GPT_BUDGET") $(steps "${STEPS_GPT2:-}"))"
  $PY -m training.train_gpt --config landscapes-v2-gpt2 --tokens "$RUN/tokens.npz" --out "$RUN/gpt2" \
      --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$GPT_BUDGET") $(steps "${STEPS_GPT2:-}") \
      --init-from "$RUN/export/gpt.ckpt" ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/gpt2/last.ckpt" "$RUN/export/gpt2.ckpt"
  cp "$RUN/gpt2/metrics.jsonl" "$RUN/export/gpt2-metrics.jsonl"
fi

if has balanced; then  # class-balanced GPT training from 2.0.0's GPT (config landscapes-v2-balanced): how 2.1.0 was made
  log "GPT, class-balanced ($(budget "$GPT_BUDGET") $(steps "${STEPS_BALANCED:-}"))"
  [ -d "$RUN/data-train" ] && $PY -m training.class_balance --tokens "$RUN/tokens.npz" --data "$RUN/data-train" --if-missing
  $PY -m training.train_gpt --config landscapes-v2-balanced --tokens "$RUN/tokens.npz" --out "$RUN/gpt-balanced" \
      --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$GPT_BUDGET") $(steps "${STEPS_BALANCED:-}") \
      --init-from "${INIT_GPT:-$RUN/export/gpt.ckpt}" ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/gpt-balanced/last.ckpt" "$RUN/export/gpt-balanced.ckpt"
  cp "$RUN/gpt-balanced/metrics.jsonl" "$RUN/export/gpt-balanced-metrics.jsonl"
fi

if has multiscale; then  # 2.1.0's GPT trained on at two scales (config landscapes-v2-multiscale): tried in stops 16–17, not shipped (see the model card)
  # The same landscapes (training seeds from 0) rendered at 128 px: 16x16 tokens, a whole scene in one window.
  [ -f "$RUN/data-train-128/meta.json" ] || $PY -m training.data.generate --out "$RUN/data-train-128" --count "$SCENES_128" --seed-start 0 --size 128x128 --workers "$WORKERS" --quiet
  [ -f "$RUN/tokens-128.npz" ] || $PY -m training.encode_tokens --data "$RUN/data-train-128" --image-vqgan "$RUN/export/image-vqgan.ckpt" --seg-vqgan "$SEG_VQGAN" \
      --out "$RUN/tokens-128.npz" --device "$DEVICE" --batch-size 64 --threads "$THREADS" --no-progress
  log "GPT, multi-scale ($(budget "$GPT_BUDGET") $(steps "${STEPS_MULTISCALE:-}"))"
  $PY -m training.train_gpt --config landscapes-v2-multiscale --tokens "$RUN/tokens.npz" "$RUN/tokens-128.npz" --tokens-share 0.5 0.5 \
      --out "$RUN/gpt-multiscale" --device "$DEVICE" --threads "$THREADS" --no-progress $(budget "$GPT_BUDGET") $(steps "${STEPS_MULTISCALE:-}") \
      --init-from "${INIT_GPT:-$RUN/export/gpt-balanced.ckpt}" ${RESUME:+--resume}
  $PY -m training.slim_checkpoint "$RUN/gpt-multiscale/last.ckpt" "$RUN/export/gpt-multiscale.ckpt"
  cp "$RUN/gpt-multiscale/metrics.jsonl" "$RUN/export/gpt-multiscale-metrics.jsonl"
fi

if has export; then
  log "export -> $BUNDLE"
  # Export beside the run, then copy over: the bundle's hand-written MODEL_CARD.md stays.
  rm -rf "$RUN/bundle"
  $PY -m training.export_bundle --image-vqgan "$RUN/export/image-vqgan.ckpt" --seg-vqgan "$SEG_VQGAN" --gpt "${GPT:-$RUN/export/gpt.ckpt}" \
      --out "$RUN/bundle" --id tessera-landscapes-v1 --version "$VERSION" --name "Tessera Landscapes v1" \
      --description "$DESCRIPTION" \
      --fp16-vqgans --sampler cached --stride 16 --top-k 100
  mkdir -p "$BUNDLE"
  cp "$RUN/bundle"/* "$BUNDLE"/
fi

if has stride; then
  log "stride"
  $PY -m training.choose_stride --bundle "$BUNDLE" --out "$RUN/stride.json" --write-manifest > "$RUN/stride.log" 2>&1
  log "stride: $(tail -1 "$RUN/stride.log")"
fi

if has sampling; then  # not in the default stages: 20 minutes, and v1's sweep kept taming's defaults
  log "sampling"
  $PY -m training.choose_sampling --bundle "$BUNDLE" --out "$RUN/sampling.json" --write-manifest > "$RUN/sampling.log" 2>&1
  log "sampling: $(tail -1 "$RUN/sampling.log")"
fi

if has eval; then
  log "evaluate"
  $PY -m training.evaluate --bundle "$BUNDLE" --threads 2 --out "$RUN/metrics.json" --grid "$BUNDLE/sample-grid.png" > "$RUN/eval.log" 2>&1
  log "metrics: $RUN/metrics.json"
fi
log "done"
