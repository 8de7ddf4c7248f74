"""How often Tessera's engine (onnxruntime) and the PyTorch reference sampler draw the same tokens
from a trained bundle, with the same layout, seed and settings.

    /usr/bin/python3 -m training.agreement --bundle assets/models/tessera-landscapes-v1 \
        --layout assets/examples/lake-mountains-256x256.png --size 128x128 --seeds 0-7 [--sampler exact]

Both sides use the same PRNG and sampling arithmetic (docs/SAMPLING.md), so they agree token for
token unless the ~1e-6 difference between runtimes' logits moves a draw across a boundary; after
the first such flip the two sequences go their own ways. Reported per seed: whether the grids are
identical, and the share of tokens (raster order) drawn before the first disagreement.

Two engine runs of the same generation (e.g. the static build's WebGPU and WASM runs, e2e/web.e2e.test.mjs):

    /usr/bin/python3 -m training.agreement --bundle assets/fixtures/tessera-tiny --compare wasm.json webgpu.json

Each JSON holds the layout (`width`, `height`, `labels`: class indices, row-major), `seed`, `sampler`,
`stride`, `lead`, `settings` ({temperature, topK, topP}) and the run's `tokens` (row-major). Identical
grids agree; otherwise the reference sampler redraws the same generation and the flip counts as a
near-tie when the generation's smallest draw margin (SampleResult.min_margin; the reference keeps no
per-draw margins, so a flip at a clearer draw of the same generation also passes) is under NEAR_TIE_MARGIN: the runtimes'
~1e-6 logit differences can move such a draw across its boundary, and after the first flip the
sequences legitimately go their own ways. Prints one JSON verdict; exit 0 when they agree or the flip
is a near-tie, 1 otherwise.
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np
import torch
from PIL import Image

from .bundle_writer import load_bundle_models
from .cpu_setup import without_jemalloc
from .engine_cli import CLI, REPO_ROOT, TSX, EngineUnavailable, engine_available, palette_of
from .reference_sampler import DEFAULT_LEAD, ReferenceSampler, read_layout
from .sampling import SamplingSettings


def parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds += list(range(int(lo), int(hi or lo) + 1))
    return seeds


def engine_tokens(bundle: Path, layout: Path, seed: int, sampler: str, stride: Optional[int], lead: Optional[int] = None) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="tessera-agree-") as tmp:
        out = Path(tmp) / "tokens.json"
        command = [str(TSX), str(CLI), "generate", "--layout", str(layout), "--model", str(bundle.resolve()), "--seed", str(seed),
                   "--sampler", sampler, "--backend", "cpu", "--no-decoded-previews", "--out", str(Path(tmp) / "image.png"), "--tokens-out", str(out)]
        if stride is not None:
            command += ["--stride", str(stride)]
        if lead is not None:
            command += ["--lead", str(lead)]
        proc = subprocess.run(command, cwd=REPO_ROOT, env=without_jemalloc(os.environ), capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0:
            raise RuntimeError(f"tessera generate failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        dump = json.loads(out.read_text())
    return np.array(dump["tokens"], dtype=np.int64).reshape(dump["rows"], dump["cols"])


# A draw closer than this to its decision boundary may flip between runtimes (training/make_fixture.py's MIN_MARGIN).
NEAR_TIE_MARGIN = 1e-5


def compare_runs(bundle: Path, a_path: Path, b_path: Path) -> dict:
    """Two engine runs of one generation: identical, or is the first flip a near-tie by its draw margin?"""
    a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
    for key in ("width", "height", "labels", "seed", "sampler", "stride", "settings"):
        if a.get(key) != b.get(key):
            raise ValueError(f"the two runs are not the same generation: {key} differs")
    ta, tb = np.array(a["tokens"], dtype=np.int64), np.array(b["tokens"], dtype=np.int64)
    if ta.shape != tb.shape:
        raise ValueError(f"token grids of different sizes: {ta.size} and {tb.size}")
    verdict = {"seed": a["seed"], "sampler": a["sampler"], "tokens": int(ta.size)}
    if (ta == tb).all():
        return {**verdict, "identical": True, "agree": True}
    first = int(np.argmax(ta != tb))
    models, manifest = load_bundle_models(bundle)
    reference = ReferenceSampler(models)
    labels = np.array(a["labels"], dtype=np.int64).reshape(a["height"], a["width"])
    st = a["settings"]
    settings = SamplingSettings(temperature=st["temperature"], top_k=st["topK"], top_p=st["topP"])
    result = reference.sample(reference.encode_layout(labels[None]), settings, [a["seed"]], a["sampler"], a.get("stride") or 1, a.get("lead") or DEFAULT_LEAD, manifest.get("defaults", {}).get("parallelOrder", "bands"))
    ref = result.tokens[0].reshape(-1)
    near_tie = bool(result.min_margin < NEAR_TIE_MARGIN)
    return {**verdict, "identical": False, "first_difference": first, "differing_tokens": int((ta != tb).sum()), "min_margin": float(result.min_margin),
            "near_tie_margin": NEAR_TIE_MARGIN, "near_tie": near_tie, "reference_agrees_before_flip": bool((ref[:first] == ta[:first]).all()),
            "reference_matches": "a" if (ref == ta).all() else "b" if (ref == tb).all() else "neither", "agree": near_tie}


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m training.agreement", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--compare", type=Path, nargs=2, metavar=("A.json", "B.json"), help="judge two engine runs of one generation (see the module docstring)")
    p.add_argument("--layout", type=Path)
    p.add_argument("--size", help="resize the layout (nearest neighbour) to WxH first, e.g. 128x128 (one 16x16-token window at f8)")
    p.add_argument("--seeds", default="0-7")
    p.add_argument("--sampler", choices=["exact", "cached", "parallel"])
    p.add_argument("--stride", type=int)
    p.add_argument("--lead", type=int, help="the parallel sampler's lead (default: the model's, else 2)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path, help="write the per-seed table as JSON")
    args = p.parse_args(argv)
    if args.compare:
        verdict = compare_runs(args.bundle, *args.compare)
        print(json.dumps(verdict), flush=True)
        return 0 if verdict["agree"] else 1
    if args.layout is None:
        p.error("--layout is required (or --compare A.json B.json)")
    if not engine_available():
        raise EngineUnavailable("node_modules missing: run npm ci")
    torch.set_num_threads(args.threads)
    models, manifest = load_bundle_models(args.bundle)
    defaults = manifest.get("defaults", {})
    sampler = args.sampler or defaults.get("sampler", "exact")
    stride = (args.stride or defaults.get("stride", 1)) if sampler == "cached" else None
    lead = (args.lead or defaults.get("lead", DEFAULT_LEAD)) if sampler == "parallel" else None
    settings = SamplingSettings(temperature=defaults.get("temperature", 1.0), top_k=defaults.get("topK", 0), top_p=defaults.get("topP", 1.0))
    seeds = parse_seeds(args.seeds)
    with tempfile.TemporaryDirectory(prefix="tessera-agree-") as tmp:
        layout_path = args.layout
        labels = read_layout(str(args.layout), manifest["classes"], manifest["gridFactor"])
        if args.size:
            w, h = (int(v) for v in args.size.lower().split("x"))
            labels = np.asarray(Image.fromarray(labels).resize((w, h), Image.NEAREST))
            layout_path = Path(tmp) / "layout.png"
            Image.fromarray(palette_of(manifest["classes"])[labels]).save(layout_path)
        reference = ReferenceSampler(models)
        cond = reference.encode_layout(np.repeat(labels[None], len(seeds), axis=0))
        ref = reference.sample(cond, settings, seeds, sampler, stride or 1, lead or 1, defaults.get("parallelOrder", "bands")).tokens
        rows = []
        for b, seed in enumerate(seeds):
            eng = engine_tokens(args.bundle, layout_path, seed, sampler, stride, lead)
            same = (eng == ref[b]).reshape(-1)
            first = int(np.argmin(same)) if not same.all() else same.size
            rows.append({"seed": seed, "identical": bool(same.all()), "tokens": int(same.size), "agree_before_first_difference": first})
            print(json.dumps(rows[-1]), flush=True)
    identical = sum(r["identical"] for r in rows)
    share = float(np.mean([r["agree_before_first_difference"] / r["tokens"] for r in rows]))
    summary = {"bundle": manifest["id"], "layout": str(args.layout), "size": args.size, "sampler": sampler, "stride": stride, "lead": lead,
               "seeds": len(rows), "identical_grids": identical, "mean_share_before_first_difference": round(share, 4), "rows": rows}
    print(f"{identical}/{len(rows)} seeds gave identical token grids; on average {100 * share:.1f}% of tokens were drawn before the first difference")
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
