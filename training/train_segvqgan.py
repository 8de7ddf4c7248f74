"""Train the segmentation (cond-stage) VQGAN: same as `training.train_vqgan --cond`.

    /usr/bin/python3 -m training.train_segvqgan --data DATA --out runs/seg-vqgan [--bf16] [--resume]
"""
from __future__ import annotations

from . import cpu_setup

import sys

from .train_vqgan import main as train_vqgan_main


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        cpu_setup.reexec_with_jemalloc("training.train_segvqgan")  # see training.train_vqgan
    argv = list(sys.argv[1:] if argv is None else argv)
    return train_vqgan_main(["--cond", *argv])


if __name__ == "__main__":
    sys.exit(main())
