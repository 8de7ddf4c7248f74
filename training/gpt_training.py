"""The latent GPT's training loop on pre-encoded token windows."""
from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from .checkpoints import CheckpointSchedule, load_checkpoint, resume_payload, save_checkpoint
from .gpt import GPT, GPTConfig
from .metrics_log import MetricsLog
from .precision import autocast_for
from .devices import resolve_device
from .schedules import warmup_cosine
from .time_budget import TimeBudget, follow_budget
from .run_config import GPTTrainConfig, as_plain, dataclass_from, resolved_section, without_off_options
from .token_dataset import TokenDataset, sample_windows, window_sequence_loss
from .token_mixture import TokenMixture


@dataclass
class GPTStage:
    model: GPT
    train: GPTTrainConfig
    window: tuple[int, int]
    optimizer: torch.optim.Optimizer
    config_record: dict[str, Any]
    device: torch.device = torch.device("cpu")


def window_for(section: dict[str, Any]) -> tuple[int, int]:
    window = section.get("window") or {}
    return int(window.get("rows", 16)), int(window.get("cols", 16))


def gpt_config_for(section: dict[str, Any], image_vocab: int, cond_vocab: int) -> tuple[GPTConfig, tuple[int, int]]:
    rows, cols = window_for(section)
    values = dict(section["model"])
    # One shared table without offsets (taming): the vocabulary must hold both codebooks.
    vocab = max(image_vocab, cond_vocab)
    if values.get("vocab_size") is None:
        values["vocab_size"] = vocab
    elif values["vocab_size"] < vocab:
        raise ValueError(f"gpt.model.vocab_size {values['vocab_size']} is smaller than the codebooks ({image_vocab} image, {cond_vocab} cond)")
    if values.get("block_size") is None:
        values["block_size"] = 2 * rows * cols
    elif values["block_size"] < 2 * rows * cols - 1:
        raise ValueError(f"gpt.model.block_size {values['block_size']} cannot hold a {rows}x{cols} cond + image window")
    return GPTConfig.from_dict(values), (rows, cols)


def learning_rate(train: GPTTrainConfig, step: int) -> float:
    """Linear warmup, then cosine decay to min_lr_ratio·lr at the last step."""
    return warmup_cosine(train.lr, step, train.steps, train.warmup_steps, train.min_lr_ratio)


def build_gpt_stage(section: dict[str, Any], tokens_meta: dict[str, Any], device: torch.device = torch.device("cpu")) -> GPTStage:
    train = dataclass_from(GPTTrainConfig, section.get("train"), "gpt.train")
    torch.manual_seed(train.seed)
    config, window = gpt_config_for(section, int(tokens_meta["image_vocab"]), int(tokens_meta["cond_vocab"]))
    model = GPT(config).to(device)
    optimizer = torch.optim.AdamW(model.optimizer_groups(train.weight_decay), lr=train.lr, betas=(0.9, 0.95))
    record = {
        "stage": "gpt",
        "model": config.to_dict(),
        "window": {"rows": window[0], "cols": window[1]},
        "train": without_off_options(as_plain(train), {"class_balanced_fraction": 0.0, "class_weight_power": 0.0}),
        "tokens": {k: tokens_meta.get(k) for k in ("image_vocab", "cond_vocab", "grid_factor")}
        | {"image_codebook": tokens_meta.get("image_vqgan", {}).get("codebook"), "cond_codebook": tokens_meta.get("seg_vqgan", {}).get("codebook")},
    }
    return GPTStage(model, train, window, optimizer, record, device)


def train_step(stage: GPTStage, cond: torch.Tensor, image: torch.Tensor, step: int, weights: torch.Tensor | None = None) -> dict[str, float]:
    stage.model.train()
    lr = learning_rate(stage.train, step)
    for group in stage.optimizer.param_groups:
        group["lr"] = lr
    with autocast_for(stage.train.precision, stage.device):
        loss = window_sequence_loss(stage.model, cond.to(stage.device), image.to(stage.device), None if weights is None else weights.to(stage.device))
    stage.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(stage.model.parameters(), stage.train.grad_clip) if stage.train.grad_clip > 0 else torch.zeros(())
    stage.optimizer.step()
    return {"loss": float(loss), "lr": lr, "grad_norm": float(grad_norm)}


@torch.no_grad()
def evaluate(stage: GPTStage, tokens: TokenDataset, indices: np.ndarray) -> dict[str, float]:
    stage.model.eval()
    rng = np.random.default_rng(12345)
    losses = []
    for _ in range(stage.train.eval_batches):
        cond, image = sample_windows(tokens, indices, stage.train.batch_size, *stage.window, rng)
        with autocast_for(stage.train.precision, stage.device):
            losses.append(float(window_sequence_loss(stage.model, cond.to(stage.device), image.to(stage.device))))
    mean = float(np.mean(losses))
    return {"eval_loss": mean, "eval_perplexity": math.exp(mean)}


def evaluate_mixture(stage: GPTStage, mixture: TokenMixture) -> dict[str, float]:
    """Held-out loss on plain windows: `eval_loss` on the first token dataset (comparable with
    single-dataset runs), and `eval_loss_<grid>` on each other one."""
    first, *others = mixture.sources
    metrics = evaluate(stage, first.tokens, first.held_idx)
    for source in others:
        metrics[f"eval_loss_{source.label}"] = evaluate(stage, source.tokens, source.held_idx)["eval_loss"]
    return metrics


def init_gpt_weights_from(stage: GPTStage, path: str | Path) -> None:
    """Copies a trained GPT's weights into a fresh stage of the same shape (to train on with a new
    schedule); a GPT of another shape or codebooks is refused, naming the difference."""
    source = load_checkpoint(path, "gpt")
    if source["model_config"] != stage.model.config.to_dict():
        raise ValueError(f"--init-from {path}: its GPT is {source['model_config']}, this config's is {stage.model.config.to_dict()}")
    theirs = source.get("config", {}).get("tokens", {})
    ours = stage.config_record["tokens"]
    if theirs and (theirs.get("image_codebook"), theirs.get("cond_codebook")) != (ours.get("image_codebook"), ours.get("cond_codebook")):
        raise ValueError(f"--init-from {path}: it was trained on tokens of other VQGAN codebooks than --tokens")
    stage.model.load_state_dict(source["model"])


def run_gpt_training(args: argparse.Namespace) -> Path:
    budget = TimeBudget(getattr(args, "time_budget", None))
    torch.set_num_threads(args.threads)
    section, config_name = resolved_section(args, "gpt")
    token_paths = args.tokens if isinstance(args.tokens, list) else [args.tokens]
    train_config = dataclass_from(GPTTrainConfig, section.get("train"), "gpt.train")
    mixture = TokenMixture.load(token_paths, getattr(args, "tokens_share", None), train_config, window_for(section))
    stage = build_gpt_stage(section, mixture.meta, resolve_device(getattr(args, "device", "cpu")))
    stage.config_record["config_name"] = config_name
    if mixture.record() is not None:
        stage.config_record["token_mixture"] = mixture.record()
    out = Path(args.out)
    ckpt_path = out / "last.ckpt"
    rng = np.random.default_rng(stage.train.seed)
    step = 0
    init_from = getattr(args, "init_from", None)
    if init_from:
        stage.config_record["init_from"] = str(Path(init_from).resolve())
    payload = resume_payload(args.resume, ckpt_path, "gpt", stage.config_record)
    if payload is not None:
        stage.model.load_state_dict(payload["model"])
        stage.optimizer.load_state_dict(payload["optimizer"])
        torch.set_rng_state(payload["torch_rng"])
        rng.bit_generator.state = json.loads(payload["numpy_rng"])
        step = int(payload["step"])
    elif init_from:
        init_gpt_weights_from(stage, init_from)
    # Class balance (training.class_balance) shapes the training batches only: the held-out loss
    # stays plain cross-entropy on plain windows, comparable across runs.
    log = MetricsLog(out / "metrics.jsonl")
    resolved = [str(Path(p).resolve()) for p in token_paths]
    log.write({"event": "start" if step == 0 else "resume", "step": step, "config": stage.config_record, "tokens": resolved[0] if len(resolved) == 1 else resolved})
    if payload is None and init_from:
        # The weights it starts from, on this run's held-out windows: the baseline the run must beat.
        log.write({"step": 0, **evaluate_mixture(stage, mixture)})
    total = stage.train.steps
    bar = tqdm(total=total, initial=step, desc="gpt", disable=args.no_progress, dynamic_ncols=True)
    window_start, window_steps = time.perf_counter(), 0

    def payload_now() -> dict[str, Any]:
        return {
            "stage": "gpt",
            "config": stage.config_record,
            "model_config": stage.model.config.to_dict(),
            "window": stage.config_record["window"],
            "step": step,
            "model": stage.model.state_dict(),
            "optimizer": stage.optimizer.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "numpy_rng": json.dumps(rng.bit_generator.state),
            "tokens_meta": mixture.meta,
        }

    checkpoints = CheckpointSchedule(stage.train.checkpoint_every, getattr(args, "checkpoint_minutes", 10.0))
    try:
        while step < total:
            cond, image, weights = mixture.sample(stage.train.batch_size, *stage.window, rng)
            metrics = train_step(stage, cond, image, step, weights)
            step += 1
            total = follow_budget(budget, stage, step, total, bar, log)
            window_steps += 1
            bar.update(1)
            bar.set_postfix(loss=f"{metrics['loss']:.4f}")
            if step % stage.train.log_every == 0 or step == total:
                now = time.perf_counter()
                log.write({"step": step, "s_per_step": round((now - window_start) / window_steps, 4), **metrics})
                window_start, window_steps = now, 0
            if step % stage.train.eval_every == 0 or step == total:
                log.write({"step": step, **evaluate_mixture(stage, mixture)})
            if checkpoints.due(step, total):
                save_checkpoint(ckpt_path, payload_now())
    finally:
        bar.close()
        log.close()
    return ckpt_path


def load_gpt(path: str | Path) -> tuple[GPT, dict[str, Any]]:
    payload = load_checkpoint(path, "gpt")
    model = GPT(GPTConfig.from_dict(payload["model_config"]))
    model.load_state_dict(payload["model"])
    return model.eval(), payload
