"""Make the tiny random-weight test bundle (assets/fixtures/tessera-tiny) and its reference samples.

    /usr/bin/python3 -m training.make_fixture --out assets/fixtures/tessera-tiny
    /usr/bin/python3 -m training.make_fixture --samples-only assets/fixtures/tessera-tiny   # rewrite reference-samples.json

Deterministic: a fixed torch seed and fixed layouts give the same bytes on every run (on the same
torch/onnx versions). reference-samples.json holds the Python reference sampler's tokens for a few
layouts larger than one window; the engine must reproduce them exactly.
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .bundle_writer import BundleModels, write_bundle
from .datasets import images_to_tensor_range
from .gpt import GPT, GPTConfig
from .gpt_training import gpt_config_for
from .reference_sampler import ReferenceSampler
from .run_config import load_run_config, stage_section
from .sampling import SamplingSettings
from .synthetic_scenes import FIXTURE_CLASSES, synthetic_image, synthetic_layout
from .vqgan import SegmentationVQModel, VQModel, labels_to_onehot
from .vqgan_training import model_config_for

FIXTURE_SEED = 1234
GPT_INIT_STD = 0.3  # larger than minGPT's 0.02 so random logits are decisive (draws far from ties)
MIN_MARGIN = 1e-5  # a draw closer than this to flipping could differ between torch and onnxruntime
LAYOUTS = [  # (name, layout seed, height px, width px)
    ("stripes-48x56", 3, 48, 56),
    ("blobs-56x48", 11, 56, 48),
    ("wide-32x64", 5, 32, 64),
]
TOPK_SETTINGS = SamplingSettings(temperature=1.0, top_k=8, top_p=1.0)
GREEDY = SamplingSettings(temperature=0.0, top_k=0, top_p=1.0)
CASES: list[tuple[str, str, int, SamplingSettings, list[int], int]] = [  # (name, sampler, stride, settings, seeds, lead)
    ("exact-greedy", "exact", 1, GREEDY, [0], 0),
    ("exact-topk8", "exact", 1, TOPK_SETTINGS, [7, 8], 0),
    ("cached-stride2-topk8", "cached", 2, TOPK_SETTINGS, [7, 8], 0),
    ("cached-stride4-topk8", "cached", 4, TOPK_SETTINGS, [7, 8], 0),
    # The parallel sampler (lead 0 = not parallel): rows decoded at once over position-addressed caches.
    ("parallel-lead1-topk8", "parallel", 1, TOPK_SETTINGS, [7, 8], 1),
    ("parallel-lead2-greedy", "parallel", 1, GREEDY, [0], 2),
    ("parallel-lead2-topk8", "parallel", 1, TOPK_SETTINGS, [7, 8], 2),
]
# Parallel cases under the wavefront order (a model property: the engine test runs them on a copy of
# the fixture whose manifest says defaults.parallelOrder "wavefront"); recorded with "order".
WAVEFRONT_CASES = ["parallel-lead1-topk8", "parallel-lead2-topk8"]


def build_fixture_models() -> BundleModels:
    torch.manual_seed(FIXTURE_SEED)
    config = load_run_config("tiny")
    classes = [dict(c) for c in FIXTURE_CLASSES]
    image = VQModel(model_config_for(stage_section(config, "image_vqgan"), "image_vqgan", None))
    seg = SegmentationVQModel(model_config_for(stage_section(config, "seg_vqgan"), "seg_vqgan", len(classes)))
    gpt_section = stage_section(config, "gpt")
    gpt_config, window = gpt_config_for(gpt_section, image.config.n_embed, seg.config.n_embed)
    gpt = GPT(GPTConfig.from_dict({**gpt_config.to_dict(), "init_std": GPT_INIT_STD}))
    # Codebooks from encoder outputs on synthetic scenes: varied tokens with clear nearest codes.
    layouts = np.stack([synthetic_layout(100 + i, 32, 32, len(classes)) for i in range(8)])
    images = np.stack([synthetic_image(layouts[i], classes, 100 + i) for i in range(8)])
    generator = torch.Generator().manual_seed(FIXTURE_SEED)
    with torch.no_grad():
        image.quantize.init_from_latents(image.encode_latents(torch.from_numpy(images_to_tensor_range(images))), generator)
        seg.quantize.init_from_latents(seg.encode_latents(labels_to_onehot(torch.from_numpy(layouts.astype(np.int64)), len(classes))), generator)
    return BundleModels(image.eval(), seg.eval(), gpt.eval(), window, classes)


def reference_samples(models: BundleModels) -> dict[str, Any]:
    sampler = ReferenceSampler(models)
    out: dict[str, Any] = {
        "note": "Made by python3 -m training.make_fixture: the Python reference sampler's tokens on this fixture bundle. Grids are row-major [row][col].",
        "layouts": [],
    }
    for name, seed, height, width in LAYOUTS:
        labels = synthetic_layout(seed, height, width, len(models.classes))
        cond = sampler.encode_layout(labels[None])
        cases = []
        runs = [(c, "bands") for c in CASES] + [(c, "wavefront") for c in CASES if c[0] in WAVEFRONT_CASES]
        for (case_name, kind, stride, settings, seeds, lead), order in runs:
            result = sampler.sample(np.repeat(cond, len(seeds), axis=0), settings, seeds, kind, stride, lead or 1, order)
            if order != "bands":
                case_name = f"{case_name}-{order}"
            if result.min_margin < MIN_MARGIN:
                raise RuntimeError(f"fixture draw too close to a tie in {name}/{case_name} (margin {result.min_margin:.2g}); change the seeds")
            cases.append(
                {
                    "name": case_name,
                    "sampler": kind,
                    "stride": stride,
                    **({"lead": lead} if kind == "parallel" else {}),
                    **({"order": order} if order != "bands" else {}),
                    "settings": {"temperature": settings.temperature, "topK": settings.top_k, "topP": settings.top_p},
                    "seeds": seeds,
                    "tokens": result.tokens.tolist(),
                    "minMargin": float(f"{result.min_margin:.6g}"),
                }
            )
        out["layouts"].append(
            {"name": name, "width": width, "height": height, "tokenRows": cond.shape[1], "tokenCols": cond.shape[2], "labels": labels.tolist(), "condTokens": cond[0].tolist(), "cases": cases}
        )
    return out


def compact_json(data: Any) -> str:
    """Indented JSON with innermost number lists on one line (a label row per line, not a number)."""
    text = json.dumps(data, indent=1)
    return re.sub(r"\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]", lambda m: "[" + ",".join(v.strip() for v in m.group(1).split(",")) + "]", text)


def make_fixture(out: str | Path) -> dict[str, Any]:
    torch.set_num_threads(1)  # thread count can change float summation order; keep the fixture canonical
    models = build_fixture_models()
    identity = {
        "id": "tessera-tiny-fixture",
        "name": "Tessera tiny test fixture (random weights)",
        "version": "0.0.1",
        "license": "MIT",
        "description": "Random-weight models for engine tests; produces noise, not images.",
        "source": {"kind": "fixture", "notes": f"python3 -m training.make_fixture (torch seed {FIXTURE_SEED}); random weights"},
    }
    defaults = {"temperature": 1.0, "topK": 8, "topP": 1.0, "sampler": "cached", "stride": 2}
    samples = reference_samples(models)

    def add_samples(folder: Path) -> None:
        (folder / "reference-samples.json").write_text(compact_json(samples) + "\n")

    return write_bundle(out, models, identity, defaults, int8=True, extra=add_samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.make_fixture", description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", help="bundle folder to create (must not exist or be empty)")
    target.add_argument("--samples-only", help="an existing fixture bundle: rewrite only its reference-samples.json from its torch-weights.pt")
    args = parser.parse_args(argv)
    if args.samples_only:
        from .bundle_writer import load_bundle_models

        torch.set_num_threads(1)
        models, _ = load_bundle_models(args.samples_only)
        (Path(args.samples_only) / "reference-samples.json").write_text(compact_json(reference_samples(models)) + "\n")
        print(f"wrote {Path(args.samples_only) / 'reference-samples.json'}")
        return 0
    manifest = make_fixture(args.out)
    total = sum(p.stat().st_size for p in Path(args.out).iterdir())
    print(f"wrote {args.out}: {total / 1e6:.2f} MB, image vocab {manifest['vocab']['image']}, cond vocab {manifest['vocab']['cond']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
