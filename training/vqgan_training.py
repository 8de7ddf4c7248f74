"""The VQGAN training loop (image VQGAN and segmentation VQGAN), shared by the two CLIs."""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch
from tqdm import tqdm

from .checkpoints import CheckpointSchedule, load_checkpoint, resume_payload, save_checkpoint
from .codebook_usage import codebook_usage
from .datasets import LandscapeDataset, images_to_tensor_range, random_crops
from .losses import VQGANLoss, VQGANLossConfig, segmentation_loss
from .devices import add_device_argument, resolve_device
from .lpips import load_lpips
from .metrics_log import MetricsLog
from .precision import autocast_for
from .schedules import warmup_cosine
from .time_budget import TimeBudget, follow_budget, positive_number
from .run_config import VQGANTrainConfig, as_plain, dataclass_from, resolved_section, without_off_options
from .vqgan import SegmentationVQModel, VQGANConfig, VQModel, labels_to_onehot

ADAM_BETAS = (0.5, 0.9)  # taming's VQGAN optimiser betas


@dataclass
class VQGANStage:
    """Everything one VQGAN run trains: model, optional GAN loss, optimisers."""

    stage: str  # "image_vqgan" or "seg_vqgan"
    model: VQModel
    train: VQGANTrainConfig
    loss: Optional[VQGANLoss]
    opt_ae: torch.optim.Optimizer
    opt_d: Optional[torch.optim.Optimizer]
    config_record: dict[str, Any]  # what a resumed run must match
    # Dead-code restarts (train.codebook_restart_every > 0): code use since the last restart, and the
    # pre-quantisation latents of the latest training batch (captured by a hook on quant_conv).
    code_counts: Optional[torch.Tensor] = None
    last_latents: Optional[torch.Tensor] = None
    device: torch.device = torch.device("cpu")

    @property
    def is_segmentation(self) -> bool:
        return self.stage == "seg_vqgan"


def model_config_for(section: dict[str, Any], stage: str, num_classes: Optional[int]) -> VQGANConfig:
    values = dict(section["model"])
    if stage == "seg_vqgan":
        if num_classes is None:
            raise ValueError("a segmentation VQGAN needs the class count")
        for key in ("in_channels", "out_channels"):
            if values.get(key) is None:
                values[key] = num_classes
            elif values[key] != num_classes:
                raise ValueError(f"seg_vqgan.model.{key} is {values[key]}, but the dataset has {num_classes} classes")
    return VQGANConfig.from_dict(values)


def build_stage(
    section: dict[str, Any], stage: str, num_classes: Optional[int], lpips_weights: Optional[str] = None, device: torch.device = torch.device("cpu")
) -> VQGANStage:
    train = dataclass_from(VQGANTrainConfig, section.get("train"), f"{stage}.train")
    torch.manual_seed(train.seed)
    config = model_config_for(section, stage, num_classes)
    model: VQModel = (SegmentationVQModel(config) if stage == "seg_vqgan" else VQModel(config)).to(device)
    opt_ae = torch.optim.Adam(model.parameters(), lr=train.lr, betas=ADAM_BETAS)
    loss, opt_d = None, None
    record: dict[str, Any] = {"stage": stage, "model": config.to_dict(), "train": as_plain(train)}
    if stage == "image_vqgan":
        loss_config = dataclass_from(VQGANLossConfig, section.get("loss"), f"{stage}.loss")
        lpips = load_lpips(lpips_weights) if lpips_weights else None
        loss = VQGANLoss(loss_config, config.out_channels, lpips).to(device)
        opt_d = torch.optim.Adam(loss.discriminator.parameters(), lr=train.lr, betas=ADAM_BETAS)
        record["loss"] = as_plain(loss_config)
        record["perceptual"] = loss.perceptual_kind
    else:
        record["seg_loss"] = train.seg_loss
    record["train"] = without_off_options(record["train"], {"codebook_restart_every": 0, "warmup_steps": 0, "min_lr_ratio": 1.0})
    built = VQGANStage(stage, model, train, loss, opt_ae, opt_d, record, device=device)
    if train.codebook_restart_every > 0:
        attach_code_restarts(built)
    return built


def attach_code_restarts(stage: VQGANStage) -> None:
    stage.code_counts = torch.zeros(stage.model.config.n_embed, dtype=torch.int64, device=stage.device)

    def capture(module: torch.nn.Module, inputs: Any, output: torch.Tensor) -> None:
        if module.training:  # never evaluation batches: held-out data must not seed codes
            stage.last_latents = output.detach().float()

    stage.model.quant_conv.register_forward_hook(capture)


@torch.no_grad()
def restart_dead_codes(stage: VQGANStage) -> int:
    """Moves every code unused since the last restart onto a random latent of the latest training
    batch (plus a little noise, so two restarted codes never coincide) and clears its Adam moments.
    Returns how many codes were restarted."""
    if stage.code_counts is None or stage.last_latents is None:
        return 0
    dead = (stage.code_counts == 0).nonzero().flatten()
    if dead.numel():
        c = stage.last_latents.shape[1]
        latents = stage.last_latents.permute(0, 2, 3, 1).reshape(-1, c)
        pick = torch.randint(0, latents.shape[0], (dead.numel(),)).to(latents.device)
        noise = 0.01 * latents.std() * torch.randn(dead.numel(), c).to(latents.device)
        weight = stage.model.quantize.embedding.weight
        weight[dead] = latents[pick] + noise
        state = stage.opt_ae.state.get(weight, {})
        for key in ("exp_avg", "exp_avg_sq"):
            if key in state:
                state[key][dead] = 0
    stage.code_counts.zero_()
    return int(dead.numel())


def train_step(stage: VQGANStage, images: torch.Tensor, labels: torch.Tensor, step: int) -> dict[str, float]:
    """One optimisation step. images: (B,3,H,W) in [-1,1]; labels: (B,H,W) int64."""
    stage.model.train()
    precision, device = stage.train.precision, stage.device
    images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
    lr = warmup_cosine(stage.train.lr, step, stage.train.steps, stage.train.warmup_steps, stage.train.min_lr_ratio)
    for optimizer in (stage.opt_ae, stage.opt_d):
        for group in optimizer.param_groups if optimizer is not None else ():
            group["lr"] = lr
    if stage.is_segmentation:
        with autocast_for(precision, device):
            logits, quantized = stage.model(labels_to_onehot(labels, stage.model.config.in_channels))
        total, log = segmentation_loss(logits, labels, quantized.loss, stage.train.seg_loss)
        if stage.code_counts is not None:
            stage.code_counts += torch.bincount(quantized.indices.reshape(-1), minlength=stage.code_counts.numel())
        stage.opt_ae.zero_grad(set_to_none=True)
        total.backward()
        stage.opt_ae.step()
        log["perplexity"] = float(quantized.perplexity)
        return log
    assert stage.loss is not None and stage.opt_d is not None
    stage.loss.train()
    with autocast_for(precision, device):
        xrec, quantized = stage.model(images)
        total, log = stage.loss.generator_loss(images, xrec, quantized.loss, step, stage.model.last_layer)
    if stage.code_counts is not None:
        stage.code_counts += torch.bincount(quantized.indices.reshape(-1), minlength=stage.code_counts.numel())
    stage.opt_ae.zero_grad(set_to_none=True)
    total.backward()
    stage.opt_ae.step()
    log["perplexity"] = float(quantized.perplexity)
    if step >= stage.loss.config.disc_start:
        # One autoencoder forward per iteration: the discriminator reuses the detached reconstruction.
        with autocast_for(precision, device):
            d_loss, d_log = stage.loss.discriminator_loss(images, xrec.detach(), step)
        stage.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        stage.opt_d.step()
        log.update(d_log)
    return log


def batch_tensors(images: np.ndarray, labels: np.ndarray, device: torch.device = torch.device("cpu")) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(images_to_tensor_range(images)).to(device), torch.from_numpy(labels.astype(np.int64)).to(device)


@torch.no_grad()
def evaluate(stage: VQGANStage, dataset: LandscapeDataset, indices: np.ndarray) -> dict[str, float]:
    """Held-out reconstruction quality and codebook usage on fixed crops (seed 12345, no flips)."""
    stage.model.eval()
    rng = np.random.default_rng(12345)
    n = stage.train.eval_crops
    images, labels = random_crops(dataset, indices, n, stage.train.crop, rng, flip=False)
    codes, l1, accuracy = [], [], []
    for start in range(0, n, stage.train.batch_size):
        x, y = batch_tensors(images[start : start + stage.train.batch_size], labels[start : start + stage.train.batch_size], stage.device)
        with autocast_for(stage.train.precision, stage.device):
            if stage.is_segmentation:
                out, q = stage.model(labels_to_onehot(y, stage.model.config.in_channels))
                accuracy.append(float((out.float().argmax(1) == y).float().mean()))
            else:
                out, q = stage.model(x)
                l1.append(float(torch.abs(out.float() - x).mean()))
        codes.append(q.indices.cpu().numpy())
    result = {f"eval_{k}": v for k, v in codebook_usage(np.concatenate([c.reshape(-1) for c in codes]), stage.model.config.n_embed).items()}
    if accuracy:
        result["eval_pixel_accuracy"] = float(np.mean(accuracy))
    if l1:
        result["eval_rec_loss"] = float(np.mean(l1))
    return result


@torch.no_grad()
def init_codebook_from_data(stage: VQGANStage, dataset: LandscapeDataset, indices: np.ndarray, rng: np.random.Generator) -> None:
    """Sets the codebook to encoder outputs of random crops (about 4 latents per code)."""
    cfg = stage.model.config
    per_crop = (stage.train.crop // cfg.grid_factor) ** 2
    crops = int(min(256, max(stage.train.batch_size, -(-4 * cfg.n_embed // per_crop))))
    images, labels = random_crops(dataset, indices, crops, stage.train.crop, rng, flip=False)
    latents = []
    for start in range(0, crops, stage.train.batch_size):
        x, y = batch_tensors(images[start : start + stage.train.batch_size], labels[start : start + stage.train.batch_size], stage.device)
        inputs = labels_to_onehot(y, cfg.in_channels) if stage.is_segmentation else x
        latents.append(stage.model.encode_latents(inputs).float())
    generator = torch.Generator().manual_seed(int(rng.integers(0, 2**31)))
    stage.model.quantize.init_from_latents(torch.cat(latents), generator)


def checkpoint_payload(stage: VQGANStage, step: int, rng: np.random.Generator, classes: list[dict[str, Any]]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "stage": stage.stage,
        "config": stage.config_record,
        "model_config": stage.model.config.to_dict(),
        "step": step,
        "model": stage.model.state_dict(),
        "opt_ae": stage.opt_ae.state_dict(),
        "torch_rng": torch.get_rng_state(),
        "numpy_rng": json.dumps(rng.bit_generator.state),
        "classes": classes,
    }
    if stage.loss is not None and stage.opt_d is not None:
        payload["discriminator"] = stage.loss.discriminator.state_dict()
        payload["opt_d"] = stage.opt_d.state_dict()
    if stage.code_counts is not None:
        payload["code_counts"] = stage.code_counts.clone()
    return payload


def restore(stage: VQGANStage, payload: dict[str, Any], rng: np.random.Generator) -> int:
    stage.model.load_state_dict(payload["model"])
    stage.opt_ae.load_state_dict(payload["opt_ae"])
    if stage.loss is not None and stage.opt_d is not None:
        stage.loss.discriminator.load_state_dict(payload["discriminator"])
        stage.opt_d.load_state_dict(payload["opt_d"])
    if stage.code_counts is not None and "code_counts" in payload:
        stage.code_counts.copy_(payload["code_counts"])
    torch.set_rng_state(payload["torch_rng"])
    rng.bit_generator.state = json.loads(payload["numpy_rng"])
    return int(payload["step"])


def init_weights_from(stage: VQGANStage, path: str | Path) -> None:
    """Copies a trained checkpoint's weights into a fresh stage whose config may drop layers (the
    mid-block attention); anything else that does not match is an error, not a silent partial load."""
    payload = load_checkpoint(path, stage.stage)
    result = stage.model.load_state_dict(payload["model"], strict=False)
    droppable = ".mid.attn_1."
    problems = [k for k in result.missing_keys if droppable not in k] + [k for k in result.unexpected_keys if droppable not in k]
    if result.missing_keys and any(droppable not in k for k in result.missing_keys):
        raise ValueError(f"--init-from {path}: the checkpoint lacks weights this model needs: {', '.join(problems[:5])}")
    if problems:
        raise ValueError(f"--init-from {path}: the checkpoint's layers do not match this config: {', '.join(problems[:5])}")


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="landscapes-v1", help="config name in training/configs or a path (default landscapes-v1)")
    parser.add_argument("--tiny", action="store_true", help="use the tiny config (seconds; for tests)")
    parser.add_argument("--data", required=True, help="dataset folder with images.npy, labels.npy, meta.json")
    parser.add_argument("--eval-data", help="held-out dataset folder (e.g. training.data's held-out seeds); default: the last 5%% of --data")
    parser.add_argument("--out", required=True, help="run folder: last.ckpt, metrics.jsonl")
    parser.add_argument("--steps", type=int, help="override train.steps")
    parser.add_argument("--seed", type=int, help="override train.seed")
    precision = parser.add_mutually_exclusive_group()
    precision.add_argument("--bf16", dest="precision", action="store_const", const="bf16", help="bf16 autocast (default in landscapes-v1)")
    precision.add_argument("--fp32", dest="precision", action="store_const", const="fp32", help="plain float32")
    parser.add_argument("--resume", nargs="?", const="auto", help="resume from OUT/last.ckpt (or the given checkpoint)")
    parser.add_argument("--init-from", help="start from this checkpoint's weights (same stage; layers the config drops, such as mid-block attention, are left out)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    add_device_argument(parser)
    parser.add_argument("--time-budget", type=positive_number, help="seconds: lower the step count, once and early, to what fits (recorded in the checkpoint)")
    parser.add_argument("--checkpoint-minutes", type=positive_number, default=10.0, help="also write last.ckpt whenever this many minutes have passed (default 10)")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm bar")


def run_vqgan_training(args: argparse.Namespace, stage_name: str) -> Path:
    """Trains until train.steps, checkpointing to OUT/last.ckpt; returns the checkpoint path."""
    budget = TimeBudget(getattr(args, "time_budget", None))
    torch.set_num_threads(args.threads)
    section, config_name = resolved_section(args, stage_name)
    dataset = LandscapeDataset.load(args.data)
    device = resolve_device(getattr(args, "device", "cpu"))
    stage = build_stage(section, stage_name, dataset.num_classes, getattr(args, "lpips_weights", None), device)
    stage.config_record["config_name"] = config_name
    out = Path(args.out)
    ckpt_path = out / "last.ckpt"
    rng = np.random.default_rng(stage.train.seed)
    init_from = getattr(args, "init_from", None)
    if init_from:
        stage.config_record["init_from"] = str(Path(init_from).resolve())
    payload = resume_payload(args.resume, ckpt_path, stage_name, stage.config_record)
    step = 0 if payload is None else restore(stage, payload, rng)
    if step == 0 and init_from:
        init_weights_from(stage, init_from)
    eval_dataset = dataset
    if getattr(args, "eval_data", None):
        eval_dataset = LandscapeDataset.load(args.eval_data)
        if eval_dataset.classes != dataset.classes:
            raise ValueError(f"--eval-data {args.eval_data} has other classes than --data {args.data}")
        train_idx, held_idx = np.arange(len(dataset)), np.arange(len(eval_dataset))
    else:
        train_idx, held_idx = dataset.split()
        if held_idx.size == 0:
            held_idx = train_idx
    if step == 0 and not init_from and stage.train.codebook_init == "data":
        init_codebook_from_data(stage, dataset, train_idx, rng)
    elif stage.train.codebook_init not in ("data", "uniform"):
        raise ValueError(f"train.codebook_init must be 'data' or 'uniform' (got {stage.train.codebook_init!r})")
    total = stage.train.steps
    log = MetricsLog(out / "metrics.jsonl")
    log.write({"event": "start" if step == 0 else "resume", "step": step, "config": stage.config_record, "data": str(dataset.root), "images": len(dataset)})
    bar = tqdm(total=total, initial=step, desc=stage_name, disable=args.no_progress, dynamic_ncols=True)
    window_start, window_steps = time.perf_counter(), 0
    checkpoints = CheckpointSchedule(stage.train.checkpoint_every, getattr(args, "checkpoint_minutes", 10.0))
    try:
        while step < total:
            images, labels = random_crops(dataset, train_idx, stage.train.batch_size, stage.train.crop, rng, stage.train.flip)
            x, y = batch_tensors(images, labels)
            metrics = train_step(stage, x, y, step)
            step += 1
            total = follow_budget(budget, stage, step, total, bar, log)
            every = stage.train.codebook_restart_every
            if every > 0 and step % every == 0 and step < total:
                metrics["codes_restarted"] = restart_dead_codes(stage)
            window_steps += 1
            bar.update(1)
            bar.set_postfix(loss=f"{metrics['total_loss']:.4f}", ppl=f"{metrics['perplexity']:.1f}")
            if step % stage.train.log_every == 0 or step == total:
                now = time.perf_counter()
                log.write({"step": step, "s_per_step": round((now - window_start) / window_steps, 4), **metrics})
                window_start, window_steps = now, 0
            if step % stage.train.eval_every == 0 or step == total:
                log.write({"step": step, **evaluate(stage, eval_dataset, held_idx)})
            if checkpoints.due(step, total):
                save_checkpoint(ckpt_path, checkpoint_payload(stage, step, rng, dataset.classes))
    finally:
        bar.close()
        log.close()
    return ckpt_path


def load_vqgan(path: str | Path, expected_stage: Optional[str] = None) -> tuple[VQModel, dict[str, Any]]:
    """A trained VQGAN (eval mode) and its checkpoint payload."""
    payload = load_checkpoint(path, expected_stage)
    config = VQGANConfig.from_dict(payload["model_config"])
    model: VQModel = SegmentationVQModel(config) if payload["stage"] == "seg_vqgan" else VQModel(config)
    model.load_state_dict(payload["model"])
    return model.eval(), payload
