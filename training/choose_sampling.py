"""Choose a bundle's default temperature and top-k by layout fidelity, without giving up variety.

    /usr/bin/python3 -m training.choose_sampling --bundle assets/models/tessera-landscapes-v1 \
        [--layouts 24] [--size 128] [--temperatures 1,0.9,0.8] [--top-ks 100,30,10] [--write-manifest]

Every setting generates the same held-out layouts with two seeds in Tessera's engine (the bundle's
sampler and stride). The judge scores each image against its layout (mIoU), and the two seeds of a
layout are compared pixel by pixel (variety: the mean absolute difference, 0..1). Lower
temperatures and smaller top-k make images follow the layout more closely but also make the seeds
look alike. The rule: among settings whose variety is at least `--min-variety` of the reference
setting's (taming's temperature 1, top-k 100), take the best mIoU, but only when it beats the
reference by `--min-gain` (2 points); a smaller difference is within the noise of a few dozen
layouts, and the reference stays.

--write-manifest sets `defaults.temperature` and `defaults.topK` in the bundle's manifest.json.
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .choose_stride import write_manifest_defaults
from .data.generate import HELDOUT_SEED_START
from .engine_cli import EngineSettings
from .engine_cli import generate as engine_generate
from .judge import DEFAULT_WEIGHTS as JUDGE_WEIGHTS
from .judge import confusion, iou_report, load_judge, render_pool, segment

REFERENCE = {"temperature": 1.0, "top_k": 100}


def variety(images: np.ndarray) -> float:
    """Mean absolute pixel difference (0..1) between the first two seeds of each layout: (N, S, H, W, 3)."""
    a = images[:, 0].astype(np.float32)
    b = images[:, 1].astype(np.float32)
    return float(np.abs(a - b).mean() / 255.0)


def choose(rows: list[dict[str, Any]], min_variety: float, min_gain: float = 0.02) -> dict[str, Any]:
    """The best-mIoU row whose variety is at least `min_variety` × the reference row's, if it beats
    the reference's mIoU by `min_gain`; otherwise the reference row.

    Rows hold temperature, top_k, miou and variety; the reference (taming's temperature 1, top-k
    100) must be among them."""
    ref = next((r for r in rows if r["temperature"] == REFERENCE["temperature"] and r["top_k"] == REFERENCE["top_k"]), None)
    if ref is None:
        raise ValueError("the rows must include the reference setting (temperature 1, top-k 100)")
    ok = [r for r in rows if r["variety"] >= min_variety * ref["variety"]]
    best = max(ok, key=lambda r: (r["miou"], r["variety"])) if ok else ref
    return best if best["miou"] >= ref["miou"] + min_gain else ref


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m training.choose_sampling", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--layouts", type=int, default=24, help="held-out layouts (two seeds each, per setting)")
    p.add_argument("--size", type=int, default=128, help="layout size in pixels")
    p.add_argument("--temperatures", default="1,0.9,0.8")
    p.add_argument("--top-ks", default="100,30,10")
    p.add_argument("--seeds", default="0,1", help="two or more seeds (variety compares the first two)")
    p.add_argument("--min-variety", type=float, default=0.8, help="fraction of the reference setting's variety a choice must keep")
    p.add_argument("--min-gain", type=float, default=0.02, help="mIoU a setting must gain over the reference to replace it (0.02 = 2 points)")
    p.add_argument("--judge", type=Path, default=JUDGE_WEIGHTS)
    p.add_argument("--threads", type=int, help="engine threads (default: the engine's)")
    p.add_argument("--out", type=Path, help="write the table and the choice as JSON")
    p.add_argument("--write-manifest", action="store_true")
    args = p.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    if len(seeds) < 2:
        p.error("--seeds needs at least two seeds: variety compares two samples of each layout")
    temperatures = _floats(args.temperatures)
    top_ks = [int(k) for k in _floats(args.top_ks)]
    grid = sorted({(t, k) for t in temperatures for k in top_ks} | {(REFERENCE["temperature"], REFERENCE["top_k"])}, key=lambda s: (-s[0], -s[1]))
    manifest = json.loads((args.bundle / "manifest.json").read_text())
    _, labels = render_pool(HELDOUT_SEED_START, args.layouts, args.size, None)
    judge = load_judge(args.judge)
    rows = []
    for temperature, top_k in grid:
        images, seconds = engine_generate(args.bundle, labels, manifest["classes"], seeds, EngineSettings(temperature=temperature, top_k=top_k), threads=args.threads)
        per_seed = [iou_report(confusion(segment(judge, images[:, s], batch=1), labels)) for s in range(len(seeds))]
        row = {
            "temperature": temperature,
            "top_k": top_k,
            "miou": round(float(np.mean([r["miou"] for r in per_seed])), 4),
            "pixel_accuracy": round(float(np.mean([r["pixel_accuracy"] for r in per_seed])), 4),
            "variety": round(variety(images), 4),
            "seconds": round(seconds, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    best = choose(rows, args.min_variety, args.min_gain)
    result = {"bundle": manifest["id"], "layouts": args.layouts, "size": args.size, "seeds": seeds, "min_variety": args.min_variety,
              "min_gain": args.min_gain, "rows": rows, "choice": {"temperature": best["temperature"], "top_k": best["top_k"]}}
    print(f"chosen temperature {best['temperature']}, top-k {best['top_k']}: mIoU {best['miou']:.3f}, variety {best['variety']:.3f}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.write_manifest:
        write_manifest_defaults(args.bundle, {"temperature": best["temperature"], "topK": best["top_k"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
