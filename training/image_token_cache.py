"""Tokens of a dataset, encoded once at full resolution and kept beside the run.

The decoder fine-tune and the GPT's token set both need the image VQGAN's tokens of the same
training scenes (the segmentation decoder's fine-tune: the cond tokens of its labels). Encoding a 256x256 scene costs about as much as a training step, so they share
one cache, tied to the encoder by its codebook fingerprint and to the dataset by path and count.
The encoder runs in fp32, one image at a time: the exported encoder the engine runs is fp32, and
batches of full-size activations are slower per image here (fresh mmaps for >32 MB tensors).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from .datasets import LandscapeDataset, images_to_tensor_range
from .token_dataset import codebook_fingerprint, save_npz_atomic
from .vqgan import labels_to_onehot


def _cache_meta(dataset: LandscapeDataset, count: int, fingerprint: str, kind: str) -> dict[str, Any]:
    return {"dataset": str(Path(dataset.root).resolve()), "count": count, "codebook": fingerprint, "kind": kind}


@torch.no_grad()
def encode_images(
    dataset: LandscapeDataset, vqgan: torch.nn.Module, count: int, progress: bool = True, kind: str = "image", device: torch.device = torch.device("cpu")
) -> np.ndarray:
    """Tokens (count, h, w) int16 of the first `count` scenes, fp32, full resolution: of the images
    (kind "image") or of the label maps (kind "labels", for a segmentation VQGAN)."""
    factor = vqgan.config.grid_factor
    _, height, width = dataset.labels.shape
    h, w = height // factor, width // factor
    out = np.empty((count, h, w), dtype=np.int16)
    vqgan.eval()
    for i in tqdm(range(count), desc=f"encode {kind}", disable=not progress):
        if kind == "labels":
            labels = torch.from_numpy(np.asarray(dataset.labels[i : i + 1, : h * factor, : w * factor]).astype(np.int64))
            x = labels_to_onehot(labels, vqgan.config.in_channels)
        else:
            x = torch.from_numpy(images_to_tensor_range(np.asarray(dataset.images[i : i + 1, : h * factor, : w * factor])))
        out[i] = vqgan.encode(x.to(device)).indices.cpu().numpy()[0]
    return out


def cached_image_tokens(
    cache: Path,
    dataset: LandscapeDataset,
    vqgan: torch.nn.Module,
    state_dict: dict[str, torch.Tensor],
    count: int,
    progress: bool = True,
    kind: str = "image",
    device: torch.device = torch.device("cpu"),
) -> np.ndarray:
    """The first `count` scenes' tokens from `cache` (an .npz), encoding and saving them if the
    cache is missing, shorter, or made by another encoder, dataset or kind ("image" or "labels")."""
    count = min(count, len(dataset))
    fingerprint = codebook_fingerprint(state_dict)
    want = _cache_meta(dataset, count, fingerprint, kind)
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta["dataset"] == want["dataset"] and meta["codebook"] == fingerprint and meta.get("kind", "image") == kind and meta["count"] >= count:
                return data["tokens"][:count]
    tokens = encode_images(dataset, vqgan, count, progress, kind, device)
    save_npz_atomic(cache, tokens=tokens, meta=np.array(json.dumps(want)))
    return tokens
