"""Encode the landscape dataset once into token grids for GPT training (tokens.npz).

    /usr/bin/python3 -m training.encode_tokens --data DATA --image-vqgan runs/image-vqgan/last.ckpt \
        --seg-vqgan runs/seg-vqgan/last.ckpt --out runs/tokens.npz
"""
from __future__ import annotations

from . import cpu_setup

import argparse
import sys
import time
from pathlib import Path
from typing import Optional

import numpy as np
import torch
from tqdm import tqdm

from .codebook_usage import codebook_usage
from .datasets import LandscapeDataset, images_to_tensor_range
from .devices import add_device_argument, resolve_device
from .image_token_cache import cached_image_tokens
from .precision import autocast_for
from .class_balance import cell_classes
from .token_dataset import TokenDataset, codebook_fingerprint
from .vqgan import SegmentationVQModel
from .vqgan_training import load_vqgan


def encode_dataset(
    dataset: LandscapeDataset,
    image_vqgan: torch.nn.Module,
    seg_vqgan: SegmentationVQModel,
    batch_size: int = 16,
    precision: str = "fp32",
    progress: bool = True,
    count: Optional[int] = None,
    image_tokens: Optional[np.ndarray] = None,
    device: torch.device = torch.device("cpu"),
) -> tuple[np.ndarray, np.ndarray]:
    """Image and cond tokens of the first `count` scenes (default all); `image_tokens`, when given,
    are used instead of running the image encoder (see training.image_token_cache)."""
    factor = image_vqgan.config.grid_factor
    if seg_vqgan.config.grid_factor != factor:
        raise ValueError(f"the image VQGAN is f{factor} but the segmentation VQGAN is f{seg_vqgan.config.grid_factor}: token grids would not align")
    if seg_vqgan.num_classes != dataset.num_classes:
        raise ValueError(f"the segmentation VQGAN has {seg_vqgan.num_classes} classes, the dataset {dataset.num_classes}")
    _, height, width = dataset.labels.shape
    h, w = height // factor, width // factor  # images not divisible by f are cropped, as taming does
    n = len(dataset) if count is None else min(count, len(dataset))
    dtype = np.int16 if max(image_vqgan.config.n_embed, seg_vqgan.config.n_embed) <= 32767 else np.int32
    reuse = image_tokens is not None
    if image_tokens is not None and image_tokens.shape != (n, h, w):
        raise ValueError(f"the given image tokens are {image_tokens.shape}, expected {(n, h, w)}")
    image_out = image_tokens.astype(dtype) if image_tokens is not None else np.empty((n, h, w), dtype=dtype)
    cond_tokens = np.empty((n, h, w), dtype=dtype)
    with torch.no_grad():
        for start in tqdm(range(0, n, batch_size), desc="encode", disable=not progress):
            end = min(start + batch_size, n)
            labels = np.asarray(dataset.labels[start:end, : h * factor, : w * factor])
            with autocast_for(precision, device):
                if not reuse:
                    images = np.asarray(dataset.images[start:end, : h * factor, : w * factor])
                    image_out[start:end] = image_vqgan.encode(torch.from_numpy(images_to_tensor_range(images)).to(device)).indices.cpu().numpy()
                cond_tokens[start:end] = seg_vqgan.encode_labels(torch.from_numpy(labels.astype(np.int64)).to(device)).indices.cpu().numpy()
    return image_out, cond_tokens


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        cpu_setup.reexec_with_jemalloc("training.encode_tokens")  # 256 px encodes: see cpu_setup
    parser = argparse.ArgumentParser(prog="python3 -m training.encode_tokens", description=__doc__.split("\n")[1])
    parser.add_argument("--data", required=True)
    parser.add_argument("--image-vqgan", required=True, help="image VQGAN checkpoint (last.ckpt)")
    parser.add_argument("--seg-vqgan", required=True, help="segmentation VQGAN checkpoint")
    parser.add_argument("--out", required=True, help="token dataset file (.npz)")
    parser.add_argument("--count", type=int, help="encode only the first N scenes")
    parser.add_argument("--image-tokens-cache", type=Path, help="reuse (or write) the image tokens here (.npz; shared with training.finetune_decoder)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast for the encoders (≈1.4x faster; the argmin stays fp32)")
    parser.add_argument("--threads", type=int, default=2)
    add_device_argument(parser)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    dataset = LandscapeDataset.load(args.data)
    image_vqgan, image_payload = load_vqgan(args.image_vqgan, "image_vqgan")
    seg_vqgan, seg_payload = load_vqgan(args.seg_vqgan, "seg_vqgan")
    assert isinstance(seg_vqgan, SegmentationVQModel)
    started = time.perf_counter()
    cached = None
    if args.image_tokens_cache:
        if args.bf16:
            parser.error("--image-tokens-cache holds fp32 encodings (as the engine makes them); leave out --bf16")
        cached = cached_image_tokens(args.image_tokens_cache, dataset, image_vqgan, image_payload["model"], args.count or len(dataset), not args.no_progress)
    device = resolve_device(args.device)
    image_tokens, cond_tokens = encode_dataset(
        dataset, image_vqgan.to(device), seg_vqgan.to(device), args.batch_size, "bf16" if args.bf16 else "fp32", not args.no_progress, args.count, cached, device
    )
    meta = {
        "image_vocab": image_vqgan.config.n_embed,
        "cond_vocab": seg_vqgan.config.n_embed,
        "grid_factor": image_vqgan.config.grid_factor,
        "classes": dataset.classes,
        "image_vqgan": {"path": str(Path(args.image_vqgan).resolve()), "step": image_payload["step"], "codebook": codebook_fingerprint(image_payload["model"])},
        "seg_vqgan": {"path": str(Path(args.seg_vqgan).resolve()), "step": seg_payload["step"], "codebook": codebook_fingerprint(seg_payload["model"])},
        "dataset": str(Path(args.data).resolve()),
        "count": int(image_tokens.shape[0]),
        "precision": "bf16" if args.bf16 else "fp32",
    }
    # Each cell's class, for class-balanced GPT windows (training.class_balance); the labels are at hand.
    classes = cell_classes(dataset.labels[: image_tokens.shape[0]], meta["grid_factor"], dataset.num_classes)
    TokenDataset(image_tokens, cond_tokens, meta, classes).save(args.out)
    image_usage = codebook_usage(image_tokens, meta["image_vocab"])
    cond_usage = codebook_usage(cond_tokens, meta["cond_vocab"])
    print(f"encoded {image_tokens.shape[0]} images to {image_tokens.shape[1]}x{image_tokens.shape[2]} tokens in {time.perf_counter() - started:.1f} s → {args.out}")
    print(f"image codebook: perplexity {image_usage['perplexity']:.1f}, {100 * image_usage['used_fraction']:.1f}% of codes used")
    print(f"cond codebook: perplexity {cond_usage['perplexity']:.1f}, {100 * cond_usage['used_fraction']:.1f}% of codes used")
    return 0


if __name__ == "__main__":
    sys.exit(main())
