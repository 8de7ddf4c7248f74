"""Train the image VQGAN (or, with --cond, the segmentation VQGAN).

    /usr/bin/python3 -m training.train_vqgan --data DATA --out runs/image-vqgan [--bf16] [--resume]
"""
from __future__ import annotations

from . import cpu_setup  # (sets OPENBLAS_NUM_THREADS before torch loads)

import argparse
import sys

from .vqgan_training import add_common_arguments, run_vqgan_training


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        # 128 px crops in batches of 32 (landscapes-v2) make activations over glibc's mmap
        # threshold: 56.6 s/step with glibc, 6.6 s with jemalloc keeping its memory (measured).
        cpu_setup.reexec_with_jemalloc("training.train_vqgan")
    parser = argparse.ArgumentParser(prog="python3 -m training.train_vqgan", description=__doc__.split("\n")[0])
    add_common_arguments(parser)
    parser.add_argument("--cond", action="store_true", help="train the segmentation (cond-stage) VQGAN instead")
    parser.add_argument("--lpips-weights", help="LPIPS state dict (VGG16 + lin layers); without it the perceptual term is discriminator feature matching")
    args = parser.parse_args(argv)
    if args.cond and args.lpips_weights:
        parser.error("--lpips-weights applies to the image VQGAN only")
    path = run_vqgan_training(args, "seg_vqgan" if args.cond else "image_vqgan")
    print(f"checkpoint: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
