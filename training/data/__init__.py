"""Procedural landscape dataset: deterministic scenes with pixel-exact label maps.

    from training.data import render_scene, render_batch, CLASSES
    image, labels = render_scene(seed=42, width=256, height=256)

See `generate.py` for the command line and the seed-range convention.
"""

from .classes import CLASSES, NUM_CLASSES, PALETTE, colourise
from .seeds import HELDOUT_SEED_START, TRAIN_SEED_END, TRAIN_SEED_START
from .render import RENDERER_VERSION, iter_batch, render_batch, render_scene

__all__ = [
    "CLASSES",
    "NUM_CLASSES",
    "PALETTE",
    "colourise",
    "render_scene",
    "render_batch",
    "iter_batch",
    "RENDERER_VERSION",
    "TRAIN_SEED_START",
    "TRAIN_SEED_END",
    "HELDOUT_SEED_START",
]
