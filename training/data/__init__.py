"""Procedural landscape dataset: deterministic scenes with pixel-exact label maps.

    from training.data import render_scene, render_batch, CLASSES
    image, labels = render_scene(seed=42, width=256, height=256)
    image = render_from_layout(labels, seed=7)  # any label map, e.g. a painted one

See `generate.py` for the command line and the seed-range convention, `painted.py` for
painted-style layouts (`painted_scene`) and their held-out set. (`painted.py` is a command too,
so this package does not import it: `python3 -m` warns about modules imported before they run.)
"""

from .classes import CLASSES, NUM_CLASSES, PALETTE, colourise
from .seeds import HELDOUT_SEED_START, PAINTED_HELDOUT_SEED_END, PAINTED_HELDOUT_SEED_START, TRAIN_SEED_END, TRAIN_SEED_START
from .render import RENDERER_VERSION, iter_batch, render_batch, render_from_layout, render_scene

__all__ = [
    "CLASSES",
    "NUM_CLASSES",
    "PALETTE",
    "colourise",
    "render_scene",
    "render_batch",
    "render_from_layout",
    "iter_batch",
    "RENDERER_VERSION",
    "TRAIN_SEED_START",
    "TRAIN_SEED_END",
    "HELDOUT_SEED_START",
    "PAINTED_HELDOUT_SEED_START",
    "PAINTED_HELDOUT_SEED_END",
]
