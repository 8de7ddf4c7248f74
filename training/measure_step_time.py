"""Measure seconds per training step of a config's stages on random data (no dataset needed).

    /usr/bin/python3 -m training.measure_step_time --config landscapes-v1 [--stage image_vqgan] [--steps 6]

Runs the real train_step of each stage (image VQGAN without and with the discriminator, seg VQGAN,
GPT) in bf16 and fp32, after warm-up steps, and prints the median s/step.
"""
from __future__ import annotations

from . import cpu_setup

import argparse
import statistics
import sys
import time
from typing import Callable

import torch

from .gpt_training import build_gpt_stage
from .gpt_training import train_step as gpt_train_step
from .run_config import load_run_config, stage_section
from .vqgan_training import build_stage, train_step

STAGES = ("image_vqgan", "image_vqgan+disc", "seg_vqgan", "gpt")


def _timed(step: Callable[[int], object], warmup: int, steps: int) -> float:
    for i in range(warmup):
        step(i)
    times = []
    for i in range(steps):
        start = time.perf_counter()
        step(warmup + i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(config_name: str, stage: str, precision: str, warmup: int, steps: int, num_classes: int) -> float:
    config = load_run_config(config_name)
    base = stage.split("+")[0]
    section = stage_section(config, base)
    section["train"]["precision"] = precision
    if base == "gpt":
        image_vocab = int(config["image_vqgan"]["model"]["n_embed"])
        cond_vocab = int(config["seg_vqgan"]["model"]["n_embed"])
        g = build_gpt_stage(section, {"image_vocab": image_vocab, "cond_vocab": cond_vocab})
        rows, cols = g.window
        batch = g.train.batch_size
        cond = torch.randint(0, cond_vocab, (batch, rows * cols))
        image = torch.randint(0, image_vocab, (batch, rows * cols))
        return _timed(lambda i: gpt_train_step(g, cond, image, i), warmup, steps)
    s = build_stage(section, base, num_classes)
    batch, crop = s.train.batch_size, s.train.crop
    x = torch.rand(batch, 3, crop, crop) * 2 - 1
    y = torch.randint(0, num_classes, (batch, crop, crop))
    offset = s.loss.config.disc_start if (stage.endswith("+disc") and s.loss is not None) else 0
    return _timed(lambda i: train_step(s, x, y, offset + i), warmup, steps)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        cpu_setup.reexec_with_jemalloc("training.measure_step_time")  # measure what the trainers see
    parser = argparse.ArgumentParser(prog="python3 -m training.measure_step_time", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="landscapes-v1")
    parser.add_argument("--stage", choices=STAGES, action="append", help="default: all")
    parser.add_argument("--precision", choices=["bf16", "fp32"], action="append", help="default: both")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--classes", type=int, default=11, help="class count for the seg VQGAN (training.data has 11)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    for stage in args.stage or STAGES:
        for precision in args.precision or ["bf16", "fp32"]:
            seconds = measure(args.config, stage, precision, args.warmup, args.steps, args.classes)
            print(f"{args.config} {stage:17s} {precision}: {seconds:.3f} s/step", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
