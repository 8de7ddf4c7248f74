"""Write a checkpoint's weights without its training state (a third of the size), to ship or copy
a trained model off a machine:

    /usr/bin/python3 -m training.slim_checkpoint runs/gpt/last.ckpt runs/gpt/weights.ckpt
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .checkpoints import load_checkpoint, save_checkpoint, weights_only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.slim_checkpoint", description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="a training checkpoint (last.ckpt)")
    parser.add_argument("out", type=Path, help="where to write the weights-only checkpoint")
    args = parser.parse_args(argv)
    if args.out.resolve() == args.source.resolve():
        parser.error("the output must be another file than the source (the source keeps the run resumable)")
    try:
        payload = load_checkpoint(args.source)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save_checkpoint(args.out, weights_only(payload))
    print(f"{args.source} ({args.source.stat().st_size / 1e6:.1f} MB) -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
