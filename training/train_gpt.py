"""Train the latent GPT on a token dataset made by training.encode_tokens.

    /usr/bin/python3 -m training.train_gpt --tokens runs/tokens.npz --out runs/gpt [--bf16] [--resume]
    /usr/bin/python3 -m training.train_gpt --tokens runs/tokens-256.npz runs/tokens-128.npz --tokens-share 0.5 0.5 ...
"""
from __future__ import annotations

from . import cpu_setup

import argparse
import sys

from .devices import add_device_argument
from .gpt_training import run_gpt_training
from .time_budget import positive_number


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        cpu_setup.reexec_with_jemalloc("training.train_gpt")
    parser = argparse.ArgumentParser(prog="python3 -m training.train_gpt", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="landscapes-v1", help="config name in training/configs or a path")
    parser.add_argument("--tiny", action="store_true", help="use the tiny config (seconds; for tests)")
    parser.add_argument("--tokens", required=True, nargs="+", help="token dataset(s) (.npz) from training.encode_tokens; several (e.g. scenes rendered at 256 and 128 px) are mixed in each batch")
    parser.add_argument("--tokens-share", type=float, nargs="+", metavar="SHARE", help="each --tokens file's share of every batch (default: equal shares)")
    parser.add_argument("--out", required=True, help="run folder: last.ckpt, metrics.jsonl")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--seed", type=int)
    precision = parser.add_mutually_exclusive_group()
    precision.add_argument("--bf16", dest="precision", action="store_const", const="bf16")
    precision.add_argument("--fp32", dest="precision", action="store_const", const="fp32")
    parser.add_argument("--resume", nargs="?", const="auto", help="resume from OUT/last.ckpt (or the given checkpoint)")
    parser.add_argument("--init-from", help="start from this GPT checkpoint's weights (a weights-only one too) with a fresh optimiser and schedule")
    parser.add_argument("--threads", type=int, default=2)
    add_device_argument(parser)
    parser.add_argument("--time-budget", type=positive_number, help="seconds: lower the step count, once and before the schedule decays, to what fits")
    parser.add_argument("--checkpoint-minutes", type=positive_number, default=10.0, help="also write last.ckpt whenever this many minutes have passed (default 10)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    print(f"checkpoint: {run_gpt_training(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
