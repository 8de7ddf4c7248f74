"""Decoder-only fine-tune of a trained VQGAN, on the tokens the full-resolution encoder gives.

    /usr/bin/python3 -m training.finetune_decoder --config landscapes-v1 \
        --vqgan RUN/image-vqgan/last.ckpt --data RUN/data-train --out RUN/image-decoder [--resume]
    /usr/bin/python3 -m training.finetune_decoder --kind seg --config landscapes-v1 \
        --vqgan RUN/seg-vqgan-conv/last.ckpt --data RUN/data-train --out RUN/seg-decoder

Why: the VQGAN trains on 64 px crops, but the engine encodes and decodes whole canvases. Its
mid-block attention, trained on 8x8 latents, then attends over 32x32 and blurs. Tokens depend only
on the encoder and the codebook, so both are frozen here (the GPT's tokens stay valid), the
decoder's mid attention can be dropped (`image_decoder.model` overrides), and the decoder learns
from crops of the tokens of whole scenes: exactly what it is given at generation time.

`--kind seg` does the same for the segmentation VQGAN (config section `seg_decoder`; cross-entropy
on label crops): its cond tokens, which the GPT conditions on, stay exactly as they are, and only
the decoder that turns them back into labels (the probe of the pixel-accuracy metric) trains on.

The checkpoint is an ordinary image_vqgan / seg_vqgan checkpoint (export_bundle and evaluate take it
as is), plus the fine-tune's optimiser and step for --resume.
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from .checkpoints import load_checkpoint, resume_payload, save_checkpoint
from .data.generate import HELDOUT_SEED_START
from .devices import add_device_argument, resolve_device
from .datasets import LandscapeDataset, images_to_tensor_range
from .image_token_cache import cached_image_tokens
from .losses import VQGANLoss, VQGANLossConfig, segmentation_loss
from .metrics_log import MetricsLog
from .precision import autocast_for
from .schedules import warmup_cosine
from .time_budget import TimeBudget, follow_budget, positive_number
from .run_config import as_plain, dataclass_from, load_run_config, stage_section
from .vqgan import SegmentationVQModel, VQGANConfig, VQModel
from .vqgan_training import ADAM_BETAS

# --kind → (checkpoint stage, config section, what the encoder reads)
KINDS = {"image": ("image_vqgan", "image_decoder", "image"), "seg": ("seg_vqgan", "seg_decoder", "labels")}


@dataclass(frozen=True)
class DecoderTrainConfig:
    batch_size: int = 8
    crop_tokens: int = 8  # token crops of crop_tokens² codes (crop_tokens·f pixels a side)
    scenes: int = 2000  # training scenes encoded once (the first N of --data)
    lr: float = 1e-4
    min_lr_ratio: float = 0.1  # cosine decay to lr·min_lr_ratio at the last step
    # Linear warm-up. A fresh Adam moves every weight by about lr in its first steps, whatever the
    # gradient: on a trained decoder that is a shock (measured: 25.77 -> 25.46 dB in 250 steps at 1e-4).
    warmup_steps: int = 0
    steps: int = 4000
    checkpoint_every: int = 250
    log_every: int = 25
    eval_every: int = 500
    eval_scenes: int = 16  # held-out scenes decoded whole for the PSNR in metrics.jsonl
    precision: str = "bf16"
    seed: int = 4


@dataclass
class _Planned:
    train: DecoderTrainConfig
    config_record: dict[str, Any]


def learning_rate(train: DecoderTrainConfig, step: int) -> float:
    return warmup_cosine(train.lr, step, train.steps, train.warmup_steps, train.min_lr_ratio)


def _model_class(stage: str) -> type[VQModel]:
    return SegmentationVQModel if stage == "seg_vqgan" else VQModel


def build_model(source: dict[str, Any], overrides: dict[str, Any], section: str = "image_decoder") -> VQModel:
    """The source VQGAN's weights in a model whose config takes `overrides` (decoder keys only)."""
    allowed = {"decoder_mid_attention"}
    bad = sorted(set(overrides) - allowed)
    if bad:
        raise ValueError(f"{section}.model may only change {', '.join(sorted(allowed))} (got {', '.join(bad)}): the encoder and codebook are frozen")
    config = VQGANConfig.from_dict({**source["model_config"], **overrides})
    model = _model_class(source["stage"])(config)
    result = model.load_state_dict(source["model"], strict=False)
    stray = [k for k in result.missing_keys + result.unexpected_keys if "decoder.mid.attn_1." not in k]
    if stray:
        raise ValueError(f"the source checkpoint does not match the fine-tune's model: {', '.join(stray[:5])}")
    return model


def token_crops(tokens: np.ndarray, images: np.ndarray, batch: int, crop: int, factor: int, rng: np.random.Generator) -> tuple[torch.Tensor, np.ndarray]:
    """(token crops (B, crop, crop) int64, the matching pixels (B, crop·f, crop·f, …) as stored)."""
    n, h, w = tokens.shape
    picks = rng.integers(0, n, size=batch)
    tops = rng.integers(0, h - crop + 1, size=batch)
    lefts = rng.integers(0, w - crop + 1, size=batch)
    tok = np.stack([tokens[i, t : t + crop, l : l + crop] for i, t, l in zip(picks, tops, lefts)]).astype(np.int64)
    px = np.stack([np.asarray(images[i, t * factor : (t + crop) * factor, l * factor : (l + crop) * factor]) for i, t, l in zip(picks, tops, lefts)])
    return torch.from_numpy(tok), px


def _device_of(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def heldout_psnr(model: VQModel, tokens: np.ndarray, images: np.ndarray) -> float:
    """Mean PSNR (dB, uint8 round trip) of whole held-out scenes decoded from their tokens."""
    model.eval()
    values = []
    for i in range(len(tokens)):
        out = model.decode_tokens(torch.from_numpy(tokens[i : i + 1].astype(np.int64)).to(_device_of(model))).cpu()
        rec = np.clip(np.round((torch.clamp(out, -1, 1)[0].permute(1, 2, 0).numpy() + 1) * 127.5), 0, 255)
        mse = float(((rec - images[i].astype(np.float64)) ** 2).mean())
        values.append(10 * math.log10(255.0**2 / max(mse, 1e-10)))
    return float(np.mean(values))


@torch.no_grad()
def heldout_accuracy(model: VQModel, tokens: np.ndarray, labels: np.ndarray) -> float:
    """Pixel accuracy of whole held-out label maps decoded from their cond tokens."""
    model.eval()
    hits = 0
    for i in range(len(tokens)):
        out = model.decode_tokens(torch.from_numpy(tokens[i : i + 1].astype(np.int64)).to(_device_of(model)))
        hits += int((out.argmax(1)[0].cpu().numpy() == labels[i]).sum())
    return hits / labels.size


def heldout_scenes(count: int, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Held-out renders and labels for the in-training metric, from seeds training.evaluate never uses."""
    from .data import render_batch

    start = HELDOUT_SEED_START + 1_000_000
    return render_batch(range(start, start + count), width, height)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        # Measured: 0.75 s/step under jemalloc (memory kept) against 0.88-1.1 s with glibc.
        cpu_setup.reexec_with_jemalloc("training.finetune_decoder")
    parser = argparse.ArgumentParser(prog="python3 -m training.finetune_decoder", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="landscapes-v1")
    parser.add_argument("--kind", choices=sorted(KINDS), default="image", help="the image VQGAN's decoder (default) or the segmentation VQGAN's")
    parser.add_argument("--vqgan", required=True, help="the trained VQGAN checkpoint (encoder and codebook are kept)")
    parser.add_argument("--data", required=True, help="training dataset folder")
    parser.add_argument("--out", required=True, help="run folder: last.ckpt, metrics.jsonl, image-tokens.npz (or label-tokens.npz)")
    parser.add_argument("--steps", type=int, help="override train.steps")
    parser.add_argument("--resume", nargs="?", const="auto")
    parser.add_argument("--threads", type=int, default=1)
    add_device_argument(parser)
    parser.add_argument("--time-budget", type=positive_number, help="seconds: lower the step count, once and before the schedule decays, to what fits")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    stage, section_name, reads = KINDS[args.kind]
    config = load_run_config(args.config)
    section = stage_section(config, section_name)
    if args.steps is not None:
        section.setdefault("train", {})["steps"] = args.steps
    train = dataclass_from(DecoderTrainConfig, section.get("train"), f"{section_name}.train")
    source = load_checkpoint(args.vqgan, stage)
    torch.manual_seed(train.seed)
    device = resolve_device(args.device)
    model = build_model(source, dict(section.get("model") or {}), section_name).to(device)
    for module in (model.encoder, model.quant_conv, model.quantize):
        module.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=train.lr, betas=ADAM_BETAS)
    record: dict[str, Any] = {
        "stage": stage,
        "finetune": "decoder",
        "source": {"path": str(Path(args.vqgan).resolve()), "step": int(source["step"])},
        "model": model.config.to_dict(),
        "train": as_plain(train),
        "config_name": str(config["name"]),
    }
    loss = None
    if stage == "image_vqgan":
        # The fine-tune's own `loss` keys override the source's: a bundle's weights carry no
        # discriminator, so its feature-matching term would use features the VQGAN never trained
        # against (measured: held-out PSNR fell 25.77 -> 25.57 dB in 250 steps); such a run turns it off.
        loss_values = {**(source["config"].get("loss") or {}), **(section.get("loss") or {})}
        loss_config = dataclass_from(VQGANLossConfig, loss_values, f"{section_name}.loss")
        loss = VQGANLoss(loss_config, model.config.out_channels).to(device)
        if "discriminator" in source:  # the perceptual term's features: the same as in the VQGAN's training
            loss.discriminator.load_state_dict(source["discriminator"])
        loss.requires_grad_(False)
        record.update(loss=as_plain(loss_config), perceptual=loss.perceptual_kind)

    out = Path(args.out)
    ckpt_path = out / "last.ckpt"
    rng = np.random.default_rng(train.seed)
    step = 0
    payload = resume_payload(args.resume, ckpt_path, stage, record)
    if payload is not None:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["opt_ae"])
        torch.set_rng_state(payload["torch_rng"])
        rng.bit_generator.state = json.loads(payload["numpy_rng"])
        step = int(payload["step"])

    dataset = LandscapeDataset.load(args.data)
    frozen = _model_class(stage)(VQGANConfig.from_dict(source["model_config"]))
    frozen.load_state_dict(source["model"])
    frozen.to(device)
    tokens = cached_image_tokens(out / f"{reads.rstrip('s')}-tokens.npz", dataset, frozen, source["model"], train.scenes, not args.no_progress, reads, device)
    held_images, held_labels = heldout_scenes(train.eval_scenes, dataset.labels.shape[2], dataset.labels.shape[1])
    with torch.no_grad():
        if stage == "seg_vqgan":
            assert isinstance(frozen, SegmentationVQModel)
            held_tokens = np.stack(
                [frozen.encode_labels(torch.from_numpy(held_labels[i : i + 1].astype(np.int64)).to(device)).indices.cpu().numpy()[0] for i in range(len(held_labels))]
            )
        else:
            held_tokens = np.stack(
                [frozen.encode(torch.from_numpy(images_to_tensor_range(held_images[i : i + 1])).to(device)).indices.cpu().numpy()[0] for i in range(len(held_images))]
            )
    del frozen

    def held_metric() -> dict[str, float]:
        if stage == "seg_vqgan":
            return {"eval_pixel_accuracy": heldout_accuracy(model, held_tokens, held_labels)}
        return {"eval_psnr_db": heldout_psnr(model, held_tokens, held_images)}

    log = MetricsLog(out / "metrics.jsonl")
    log.write({"event": "start" if step == 0 else "resume", "step": step, "config": record})
    if step == 0:
        log.write({"step": 0, **held_metric()})
    factor = model.config.grid_factor
    bar = tqdm(total=train.steps, initial=step, desc="decoder", disable=args.no_progress, dynamic_ncols=True)
    window_start, window_steps = time.perf_counter(), 0

    def payload_now() -> dict[str, Any]:
        payload = {
            "stage": stage,
            "config": record,
            "model_config": model.config.to_dict(),
            "step": step,
            "model": {k: v.cpu() for k, v in model.state_dict().items()},  # loads on any machine
            "opt_ae": optimizer.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "numpy_rng": json.dumps(rng.bit_generator.state),
            "classes": source.get("classes"),
        }
        if loss is not None:
            payload["discriminator"] = {k: v.cpu() for k, v in loss.discriminator.state_dict().items()}
        return payload

    targets = dataset.labels if stage == "seg_vqgan" else dataset.images
    budget = TimeBudget(args.time_budget)
    planned = _Planned(train, record)  # what follow_budget rewrites: the schedule and the recorded step count

    try:
        while step < train.steps:
            model.train()
            lr = learning_rate(train, step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            codes, crops = token_crops(tokens, targets, train.batch_size, train.crop_tokens, factor, rng)
            with autocast_for(train.precision, device):
                rec = model.decode_tokens(codes.to(device))
                if loss is None:
                    total, metrics = segmentation_loss(rec, torch.from_numpy(crops.astype(np.int64)).to(device), torch.zeros((), device=device))
                else:
                    images = torch.from_numpy(images_to_tensor_range(crops)).to(device)
                    total, metrics = loss.generator_loss(images, rec, torch.zeros((), device=device), step, model.last_layer)
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            step += 1
            window_steps += 1
            bar.update(1)
            follow_budget(budget, planned, step, train.steps, bar, log)
            train = planned.train
            if step % train.log_every == 0 or step == train.steps:
                now = time.perf_counter()
                log.write({"step": step, "s_per_step": round((now - window_start) / window_steps, 4), "lr": lr,
                           **{k: metrics[k] for k in ("rec_loss", "p_loss", "pixel_accuracy") if k in metrics}})
                window_start, window_steps = now, 0
            if step % train.eval_every == 0 or step == train.steps:
                log.write({"step": step, **held_metric()})
            if step % train.checkpoint_every == 0 or step == train.steps:
                save_checkpoint(ckpt_path, payload_now())
    finally:
        bar.close()
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
