"""The seam score: how visible the borders between token windows are in a generated image.

    /usr/bin/python3 -m training.seams --bundle assets/models/tessera-landscapes-v1 --sizes 512 1024 \
        --layouts 4 --out runs/seams.json [--sampler cached --stride 8]

Definition (issue 22): the mean absolute colour step across token-window borders divided by the same
across all other token borders. A colour step across a vertical token border at pixel column x is
|I[y, x, c] - I[y, x-1, c]| averaged over rows y and channels c (horizontal borders alike, over
columns). Token borders are the pixel lines at multiples of the grid factor f (8 px for the default
model); window borders are those at multiples of the window (16 tokens = 128 px): where a
window-tiled sampler hands one window's tokens to the next. The image edges are no border. A score
of 1.0 means the window borders look like any other token border: no seam; the goal is ≤ 1.15.

Beside it the same ratio is reported for the vertical borders where the sampler's chunks start (for
`cached` with a stride under the window width those are not all on the window lattice), so that a
seam the lattice misses still shows. Layouts are the procedural held-out set's (seeds from
10,000,000) and the painted held-out set's (seeds from 5,000,000), drawn at each size; both kinds of
smooth region (sky gradients, flat painted fields) are where seams show most.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np

from .parallel_schedule import parallel_spans

WINDOW_DEFAULT = 16


@dataclass(frozen=True)
class BorderSteps:
    """Mean colour steps over a set of pixel lines, and how many lines each mean is over."""

    step: float
    lines: int


def _steps_across(image: np.ndarray, positions: Iterable[int], axis: int) -> BorderSteps:
    """Mean |I[.., p, ..] - I[.., p-1, ..]| over every line p in `positions` (axis 1: vertical lines
    at pixel columns p; axis 0: horizontal lines at pixel rows p)."""
    lines = sorted(set(p for p in positions if 0 < p < image.shape[axis]))
    if not lines:
        return BorderSteps(0.0, 0)
    x = image.astype(np.int16)
    idx = np.array(lines)
    after = np.take(x, idx, axis=axis)
    before = np.take(x, idx - 1, axis=axis)
    return BorderSteps(float(np.abs(after - before).mean()), len(lines))


def _ratio(window: BorderSteps, other: BorderSteps) -> Optional[float]:
    if window.lines == 0 or other.lines == 0 or other.step == 0:
        return None
    return window.step / other.step


def _pooled(a: BorderSteps, b: BorderSteps, a_len: int, b_len: int) -> BorderSteps:
    """The mean over the union of two sets of lines whose lines are a_len and b_len pixels long."""
    weight_a, weight_b = a.lines * a_len, b.lines * b_len
    if weight_a + weight_b == 0:
        return BorderSteps(0.0, 0)
    return BorderSteps((a.step * weight_a + b.step * weight_b) / (weight_a + weight_b), a.lines + b.lines)


def seam_score(image: np.ndarray, grid_factor: int = 8, window: int = WINDOW_DEFAULT, chunk_columns: Optional[Sequence[int]] = None,
               chunk_rows: Optional[Sequence[int]] = None) -> dict[str, Any]:
    """The seam score of one image (H, W, 3) uint8; see the module docstring. `chunk_columns` and
    `chunk_rows`: the token columns and rows where the sampler hands over from one window to the next
    (cached's chunk starts; parallel's segment and band starts), for the chunk-border ratios, if known."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")
    height, width = image.shape[:2]
    if height % grid_factor or width % grid_factor:
        raise ValueError(f"the image ({width}x{height}) is not a whole number of {grid_factor} px tokens")
    rows, cols = height // grid_factor, width // grid_factor
    window_px = window * grid_factor

    def split(tokens: int) -> tuple[list[int], list[int]]:
        borders = [t * grid_factor for t in range(1, tokens)]
        return [p for p in borders if p % window_px == 0], [p for p in borders if p % window_px != 0]

    v_window, v_other = split(cols)
    h_window, h_other = split(rows)
    vw, vo = _steps_across(image, v_window, 1), _steps_across(image, v_other, 1)
    hw, ho = _steps_across(image, h_window, 0), _steps_across(image, h_other, 0)
    # Vertical lines are `height` px long, horizontal ones `width`.
    all_window, all_other = _pooled(vw, hw, height, width), _pooled(vo, ho, height, width)
    out: dict[str, Any] = {
        "score": _ratio(all_window, all_other),
        "vertical": _ratio(vw, vo),
        "horizontal": _ratio(hw, ho),
        "window_step": all_window.step,
        "other_step": all_other.step,
        "window_lines": all_window.lines,
    }
    if chunk_columns is not None:
        starts = {c * grid_factor for c in chunk_columns if 0 < c < cols}
        chunk = _steps_across(image, starts, 1)
        rest = _steps_across(image, [t * grid_factor for t in range(1, cols) if t * grid_factor not in starts], 1)
        out["chunk_vertical"] = _ratio(chunk, rest)
    if chunk_rows is not None:
        starts = {r * grid_factor for r in chunk_rows if 0 < r < rows}
        chunk = _steps_across(image, starts, 0)
        rest = _steps_across(image, [t * grid_factor for t in range(1, rows) if t * grid_factor not in starts], 0)
        out["chunk_horizontal"] = _ratio(chunk, rest)
    return out


def chunk_start_columns(cols: int, stride: int) -> list[int]:
    """Token columns where `cached`'s chunks start (shared/grid.ts chunkSchedule: every `stride`)."""
    return list(range(0, cols, stride))


def worst_of(scores: Sequence[dict[str, Any]]) -> Optional[float]:
    """The worst of the mean vertical, horizontal and chunk-border ratios over `seam_score` results:
    the pooled score dilutes a seam that runs one way only (the vertical bands of `cached` at stride
    16 score 1.07 pooled and 1.12 vertical on a 512 px sky), so gates look at the worst."""
    worst = [mean_or_none([s.get(key) for s in scores]) for key in ("vertical", "horizontal", "chunk_vertical", "chunk_horizontal")]
    kept = [w for w in worst if w is not None]
    return max(kept) if kept else None


def mean_or_none(values: Sequence[Optional[float]]) -> Optional[float]:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def layouts_at(size: int, count: int) -> dict[str, np.ndarray]:
    """`count` layouts (count, size, size) per held-out set: procedural and painted."""
    from .data.painted_heldout import fidelity_pool
    from .data.render import render_scene
    from .data.seeds import HELDOUT_SEED_START

    procedural = np.stack([render_scene(HELDOUT_SEED_START + i, size, size)[1] for i in range(count)])
    painted, _, _ = fidelity_pool(count, size, renders=False)
    return {"procedural": procedural, "painted": painted}


def measure(bundle: Path, sizes: Sequence[int], count: int, seeds: Sequence[int], settings: Any, threads: Optional[int]) -> dict[str, Any]:
    from .engine_cli import generate

    manifest = json.loads((bundle / "manifest.json").read_text())
    grid_factor, window = int(manifest["gridFactor"]), int(manifest["window"]["cols"])
    sampler = settings.sampler or manifest["defaults"]["sampler"]
    stride = settings.stride or manifest["defaults"].get("stride") or 1
    lead = getattr(settings, "lead", None) or manifest["defaults"].get("lead")
    result: dict[str, Any] = {"bundle": str(bundle), "version": manifest["version"], "sampler": sampler,
                              "stride": stride if sampler == "cached" else None, "lead": lead if sampler == "parallel" else None,
                              "seeds": list(seeds), "sizes": {}}
    for size in sizes:
        per_set: dict[str, Any] = {}
        for name, labels in layouts_at(size, count).items():
            started = time.perf_counter()
            images, _ = generate(bundle, labels, manifest["classes"], seeds, settings, threads=threads)
            tokens = size // grid_factor
            if sampler == "cached":
                chunk_cols, chunk_rows = chunk_start_columns(tokens, stride), None
            elif sampler == "parallel":  # segment and band starts: where a token's window changes
                chunk_cols = [span.start for span in parallel_spans(tokens, window)]
                chunk_rows = [span.start for span in parallel_spans(tokens, int(manifest["window"]["rows"]))]
            else:
                chunk_cols = chunk_rows = None
            scores = [seam_score(img, grid_factor, window, chunk_cols, chunk_rows) for per_layout in images for img in per_layout]
            per_set[name] = {
                "images": len(scores),
                "score": mean_or_none([s["score"] for s in scores]),
                "vertical": mean_or_none([s["vertical"] for s in scores]),
                "horizontal": mean_or_none([s["horizontal"] for s in scores]),
                "chunk_vertical": mean_or_none([s.get("chunk_vertical") for s in scores]),
                "chunk_horizontal": mean_or_none([s.get("chunk_horizontal") for s in scores]),
                "worst": worst_of(scores),
                "seconds": round(time.perf_counter() - started, 1),
            }
            print(f"{size}px {name}: seam score {per_set[name]['score']:.3f} (vertical {per_set[name]['vertical']:.3f}, "
                  f"horizontal {per_set[name]['horizontal']:.3f}, worst {per_set[name]['worst']:.3f}) over {len(scores)} images, "
                  f"{per_set[name]['seconds']} s", file=sys.stderr)
        per_set["all"] = {"score": mean_or_none([per_set[n]["score"] for n in ("procedural", "painted")]),
                          "worst": max(per_set[n]["worst"] for n in ("procedural", "painted"))}
        result["sizes"][str(size)] = per_set
    return result


def main(argv: Optional[list[str]] = None) -> int:
    from .engine_cli import EngineSettings

    parser = argparse.ArgumentParser(prog="python3 -m training.seams", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024], help="square canvas sizes in px (default 512 1024)")
    parser.add_argument("--layouts", type=int, default=4, help="layouts per held-out set and size (default 4)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--sampler", choices=["exact", "cached", "parallel"])
    parser.add_argument("--stride", type=int)
    parser.add_argument("--lead", type=int, help="the parallel sampler's lead")
    parser.add_argument("--threads", type=int, help="engine threads (default: the engine's)")
    parser.add_argument("--out", type=Path, help="write the result here as JSON")
    args = parser.parse_args(argv)
    if not (args.bundle / "manifest.json").is_file():
        parser.error(f"{args.bundle} is not a model bundle (no manifest.json)")
    if args.layouts < 1:
        parser.error("--layouts must be at least 1")
    for size in args.sizes:
        if size < 16 or size % 8:
            parser.error(f"--sizes: {size} is not a canvas size (a multiple of 8 px, at least 16)")
    settings = EngineSettings(sampler=args.sampler, stride=args.stride, lead=args.lead)
    result = measure(args.bundle, args.sizes, args.layouts, args.seeds, settings, args.threads)
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(args.out.suffix + ".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(args.out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
