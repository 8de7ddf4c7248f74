"""Which torch device a training command runs on (--device): the CPU by default, a CUDA GPU where
one is lent. The same commands train on either; only the speed differs."""
from __future__ import annotations

import argparse

import torch

DEVICE_CHOICES = ("cpu", "cuda", "auto")


def resolve_device(name: str) -> torch.device:
    """"auto" picks CUDA when PyTorch sees a GPU; asking for "cuda" without one is an error that says so."""
    if name not in DEVICE_CHOICES:
        raise ValueError(f"--device must be one of {', '.join(DEVICE_CHOICES)} (got {name!r})")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: PyTorch sees no CUDA GPU here (use --device cpu, or auto)")
    return torch.device(name)


def add_device_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="cpu", choices=DEVICE_CHOICES, help="train on the CPU (default), a CUDA GPU, or auto")
