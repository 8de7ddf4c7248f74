"""Choose a bundle's default cached-sampler stride by layout fidelity, as the engine issue asks:
the fastest stride whose judge mIoU stays within `--tolerance` (2 points) of the exact sampler's,
measured with Tessera's engine on the same held-out layouts and seed. Times within `--time-tie`
(10 %) of the fastest are a tie (a few layouts' wall time varies that much run to run), and the
largest stride among them wins: fewer prefills, which matters more on larger canvases. A stride
whose images show seams is not eligible at all (`--seam-limit`, 1.15): the worst of the seam score's
vertical and horizontal ratios and of the chunk-border ratio (training.seams). Why: stride 16 with a
16-wide window starts every chunk at the window's left edge, so no token of a chunk sees its left
neighbours and each 16-column strip is sampled on its own: vertical bands in skies and snow that the
judge, which looks at classes, does not see.

    /usr/bin/python3 -m training.choose_stride --bundle assets/models/tessera-landscapes-v1 \
        [--layouts 4] [--size 192] [--strides 2,4,8,16] [--out stride.json] [--write-manifest]

--write-manifest sets `defaults.sampler` to cached and `defaults.stride` to the choice in the
bundle's manifest.json (atomically; the manifest holds no hash of itself).
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from .data.generate import HELDOUT_SEED_START
from .engine_cli import EngineSettings
from .engine_cli import generate as engine_generate
from .seams import chunk_start_columns, worst_seam
from .judge import DEFAULT_WEIGHTS as JUDGE_WEIGHTS
from .judge import confusion, iou_report, load_judge, render_pool, segment


def choose(rows: list[dict[str, Any]], exact_miou: float, tolerance: float, time_tie: float = 0.1, seam_limit: Optional[float] = None) -> Optional[dict[str, Any]]:
    """The fastest cached row within `tolerance` of the exact mIoU (and, given `seam_limit`, with
    a row["seam"] at most that), the largest stride among those within `time_tie` of the fastest
    time (None if no stride qualifies)."""
    ok = [r for r in rows if r["sampler"] == "cached" and r["miou"] >= exact_miou - tolerance
          and (seam_limit is None or r.get("seam") is None or r["seam"] <= seam_limit)]
    if not ok:
        return None
    fastest = min(r["seconds"] for r in ok)
    return max((r for r in ok if r["seconds"] <= fastest * (1 + time_tie)), key=lambda r: r["stride"])


def write_manifest_defaults(bundle: Path, values: dict[str, Any]) -> None:
    """Updates `defaults` in the bundle's manifest.json atomically (it holds no hash of itself)."""
    path = bundle / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.setdefault("defaults", {}).update(values)
    fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".json", dir=bundle)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(manifest, indent=2) + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m training.choose_stride", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--layouts", type=int, default=4, help="held-out layouts (the exact sampler costs one full forward per token: about a minute per 192 px layout on 2 cores)")
    p.add_argument("--strides", default="2,4,8,16")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", type=int, default=192, help="layout size (192 px = 24x24 tokens at f8: the 16x16 window slides 8 tokens each way, so strides matter)")
    p.add_argument("--tolerance", type=float, default=0.02, help="mIoU points below exact still accepted (0.02 = 2 points)")
    p.add_argument("--time-tie", type=float, default=0.1, help="times within this fraction of the fastest are a tie, won by the largest stride")
    p.add_argument("--seam-limit", type=float, default=1.15, help="strides whose worst seam ratio (training.seams) is above this are not eligible (default 1.15)")
    p.add_argument("--judge", type=Path, default=JUDGE_WEIGHTS)
    p.add_argument("--out", type=Path, help="write the table and the choice as JSON")
    p.add_argument("--write-manifest", action="store_true")
    args = p.parse_args(argv)
    manifest = json.loads((args.bundle / "manifest.json").read_text())
    _, labels = render_pool(HELDOUT_SEED_START, args.layouts, args.size, None)
    judge = load_judge(args.judge)
    rows = []
    runs = [("exact", None)] + [("cached", int(s)) for s in args.strides.split(",")]
    for sampler, stride in runs:
        images, seconds = engine_generate(args.bundle, labels, manifest["classes"], [args.seed], EngineSettings(sampler=sampler, stride=stride))
        rep = iou_report(confusion(segment(judge, images[:, 0], batch=1), labels))
        grid_factor, window = int(manifest["gridFactor"]), int(manifest["window"]["cols"])
        chunks = chunk_start_columns(args.size // grid_factor, window, stride) if sampler == "cached" else None
        seam = worst_seam([img for img in images[:, 0]], grid_factor, window, chunks)
        row = {"sampler": sampler, "stride": stride or 1, "miou": rep["miou"], "pixel_accuracy": rep["pixel_accuracy"], "seam": seam, "seconds": round(seconds, 1)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    exact = rows[0]["miou"]
    best = choose(rows[1:], exact, args.tolerance, args.time_tie, args.seam_limit)
    result = {"bundle": manifest["id"], "layouts": args.layouts, "seed": args.seed, "size": args.size, "tolerance": args.tolerance, "seam_limit": args.seam_limit, "rows": rows,
              "choice": best["stride"] if best else None}
    print(f"exact mIoU {exact:.3f}; " + (f"chosen stride {best['stride']} (mIoU {best['miou']:.3f}, {best['seconds']} s)" if best else "no stride within tolerance: keep the exact sampler"))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.write_manifest and best:
        write_manifest_defaults(args.bundle, {"sampler": "cached", "stride": best["stride"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
