"""Recomputes the default model's quality metrics from a bundle (or from training checkpoints).

    /usr/bin/python3 -m training.evaluate --bundle assets/models/tessera-landscapes-v1 \
        [--out metrics.json] [--grid sample-grid.png]
    /usr/bin/python3 -m training.evaluate --image-vqgan RUN/image-vqgan/last.ckpt \
        --seg-vqgan RUN/seg-vqgan/last.ckpt [--gpt RUN/gpt/last.ckpt --window 16x16]

It runs the PyTorch modules of the bundle (`torch-weights.pt`, the weights the ONNX files were
exported from; the bundle's hashes are checked first), so it needs no onnxruntime. Sections:

* image VQGAN: PSNR of reconstructions (uint8 round trip) on `--scenes` held-out renders
  (256x256, seeds HELDOUT_SEED_START + 0..N-1) and the share of image codes used on them;
* seg VQGAN: pixel accuracy (and mIoU) of label -> tokens -> label on the same scenes;
* GPT: held-out cross-entropy per image token on the four 16x16 token windows of each scene
  (the training objective), next to two baselines: the unigram entropy of the held-out image
  tokens (the best any unigram model can score on them) and a per-cond-token unigram (cross-fitted);
* judge: mIoU of the judge (training/judge.py) on the held-out renders, and on the VQGAN
  reconstructions (the ceiling for layout fidelity), at the scene size and again at the fidelity
  size when that differs (`*_at_fidelity_size`); `trusted` says whether it reached 0.9 at both;
* layout fidelity: images sampled from `--layouts` held-out layouts with the bundle's default
  settings (sample b uses seed b), segmented by the judge, mIoU against the requested layout, for
  the cached sampler (default stride) and the exact sampler (taming's per-token window, on
  `--exact-layouts` layouts because it costs one transformer forward per token).
  `--layout-set` picks the layouts: `procedural` (the renderer's held-out scenes, default),
  `painted` (the painted held-out set, training/data/painted_heldout.py: flat regions and simple
  shapes, like layouts people paint in the studio) or `both`, each in its own section
  (`layout_fidelity`, `layout_fidelity_painted`), by the same judge at `--fidelity-size`. The painted
  section also gives the judge's own mIoU on renders of its layouts: judge v2 (the default `--judge`)
  learnt from procedural renders only, so its painted numbers are trusted only where it reaches the
  bar there too. `--judge PATH` scores with another weights file, e.g. judge v3
  (training/judge/judge-v3.pt), which learnt from painted renders as well (`judge train --painted-share`).

Everything is deterministic. Timings per section are in the output.
"""
from __future__ import annotations

from . import cpu_setup

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch

from .class_balance import cell_classes
from .codebook_usage import codebook_usage
from .data import CLASSES, NUM_CLASSES, colourise
from .data.generate import HELDOUT_SEED_START
from .data.painted import PAINTED_VERSION
from .data.painted_heldout import FIDELITY_SIZE as PAINTED_SET_SIZE
from .data.painted_heldout import fidelity_pool as painted_fidelity_pool
from .data.seeds import PAINTED_HELDOUT_SEED_START
from .engine_cli import EngineQueue, EngineRun, EngineSettings, engine_available
from .grid import chunk_schedule, crop_window, window_placement
from .judge import DEFAULT_WEIGHTS as JUDGE_WEIGHTS
from .judge import CLASS_NAMES, TRUST_MIOU, confusion, iou_report, load_judge, render_pool, segment
from .precision import precision_for_device
from .prng import Xoshiro128
from .sampling import SamplingSettings, draw_token
from .vqgan import labels_to_onehot

PRECISIONS = ("bf16", "fp32")
# Which layouts layout fidelity is measured on (--layout-set), and the result key of each.
LAYOUT_SETS = {"procedural": ("procedural",), "painted": ("painted",), "both": ("procedural", "painted")}
FIDELITY_KEYS = {"procedural": "layout_fidelity", "painted": "layout_fidelity_painted"}
# Full-resolution conv activations of a batch of 256x256 images are >32 MB tensors, which glibc
# always serves with fresh mmaps: page faults made batch 4 ~7x slower per image than batch 1 here
# (measured: decoder 7.5 vs 1.15 s/img). So the networks run one image at a time.


def _autocast(precision: str):
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")


def _to_uint8(x: torch.Tensor) -> np.ndarray:
    x = torch.clamp(x.float(), -1, 1)
    return np.clip(np.round((x.numpy() + 1.0) * 127.5), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)


def psnr_uint8(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-image PSNR in dB of uint8 images (N, H, W, 3)."""
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).reshape(len(a), -1).mean(1)
    return 10 * np.log10(255.0**2 / np.maximum(mse, 1e-10))


# --------------------------------------------------------------------------------- models
class Models:
    def __init__(self, image_vqgan, seg_vqgan, gpt, window: Optional[tuple[int, int]], manifest: Optional[dict]):
        self.image_vqgan, self.seg_vqgan, self.gpt, self.window, self.manifest = image_vqgan, seg_vqgan, gpt, window, manifest

    @property
    def defaults(self) -> dict[str, Any]:
        d = {"temperature": 1.0, "topK": 100, "topP": 1.0, "sampler": "cached", "stride": self.window[1] if self.window else 1}
        if self.manifest and self.manifest.get("defaults"):
            d.update(self.manifest["defaults"])
        return d


def load_models(args: argparse.Namespace) -> Models:
    if args.bundle:
        from .bundle_manifest import validate_manifest, verify_bundle_files
        from .bundle_writer import load_bundle_models

        root = Path(args.bundle)
        manifest = json.loads((root / "manifest.json").read_text())
        validate_manifest(manifest)
        verify_bundle_files(root, manifest)
        if len(manifest["classes"]) != NUM_CLASSES:
            raise SystemExit(
                f"{root} has {len(manifest['classes'])} classes, but evaluate measures on the procedural landscape renderer's "
                f"{NUM_CLASSES} ({', '.join(c['name'] for c in CLASSES)}): it can only evaluate models trained on training.data's scenes."
            )
        m, manifest = load_bundle_models(root)
        return Models(m.image_vqgan, m.seg_vqgan, m.gpt, m.window, manifest)
    from .vqgan_training import load_vqgan

    image = load_vqgan(args.image_vqgan, "image_vqgan")[0] if args.image_vqgan else None
    seg = load_vqgan(args.seg_vqgan, "seg_vqgan")[0] if args.seg_vqgan else None
    gpt, window = None, None
    if args.gpt:
        from .gpt_training import load_gpt

        gpt, payload = load_gpt(args.gpt)
        gpt.eval()
        window = (int(payload["window"]["rows"]), int(payload["window"]["cols"]))
    return Models(image, seg, gpt, window, None)


# ------------------------------------------------------------------------------- sections
@torch.no_grad()
def eval_image_vqgan(model, images: np.ndarray, precision: str, batch: int = 1) -> tuple[dict, np.ndarray, np.ndarray]:
    model.eval()
    recs, toks = [], []
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i : i + batch]).permute(0, 3, 1, 2).float().div(127.5).sub(1)
        with _autocast(precision):
            q = model.encode(x)
            rec = model.decode(q.z_q)
        recs.append(_to_uint8(rec))
        toks.append(q.indices.numpy())
    rec = np.concatenate(recs)
    tokens = np.concatenate(toks)
    p = psnr_uint8(images, rec)
    mse = ((images.astype(np.float64) - rec.astype(np.float64)) ** 2).mean()
    usage = codebook_usage(tokens, model.config.n_embed)
    return {
        "psnr_db_mean": round(float(p.mean()), 3),
        "psnr_db_median": round(float(np.median(p)), 3),
        "psnr_db_min": round(float(p.min()), 3),
        "psnr_db_of_mean_mse": round(float(10 * math.log10(255.0**2 / mse)), 3),
        "codebook_used_fraction": round(usage["used_fraction"], 4),
        "codebook_used_codes": int(usage["used_codes"]),
        "codebook_size": model.config.n_embed,
        "codebook_perplexity": round(usage["perplexity"], 1),
    }, rec, tokens


@torch.no_grad()
def eval_seg_vqgan(model, labels: np.ndarray, precision: str, batch: int = 1) -> tuple[dict, np.ndarray]:
    """Pixel accuracy of label -> tokens -> label. The cond tokens are computed in fp32 (as the
    exported cond encoder does); the reconstruction's decoder runs in `precision`."""
    model.eval()
    conf = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    toks = []
    for i in range(0, len(labels), batch):
        y = torch.from_numpy(labels[i : i + batch].astype(np.int64))
        q = model.encode(labels_to_onehot(y, model.num_classes))
        with _autocast(precision):
            out = model.decode(q.z_q)
        conf += confusion(out.float().argmax(1).numpy(), labels[i : i + batch])
        toks.append(q.indices.numpy())
    tokens = np.concatenate(toks)
    rep = iou_report(conf)
    usage = codebook_usage(tokens, model.config.n_embed)
    return {
        "pixel_accuracy": rep["pixel_accuracy"],
        "miou": rep["miou"],
        "per_class_iou": rep["per_class_iou"],
        "codebook_used_fraction": round(usage["used_fraction"], 4),
        "codebook_size": model.config.n_embed,
    }, tokens


@torch.no_grad()
def eval_gpt_ce(
    gpt, image_tokens: np.ndarray, cond_tokens: np.ndarray, window: tuple[int, int], image_vocab: int, precision: str, batch: int = 32,
    token_classes: Optional[np.ndarray] = None, class_names: Sequence[str] = CLASS_NAMES,
) -> dict:
    """`token_classes` (each token cell's class, as training.class_balance makes them) adds the
    cross-entropy per class: where the GPT is weak, which the average hides for rare classes."""
    kr, kc = window
    n, h, w = image_tokens.shape
    tops = sorted({*range(0, h - kr + 1, kr), h - kr})
    lefts = sorted({*range(0, w - kc + 1, kc), w - kc})
    grids = [cond_tokens, image_tokens] + ([token_classes] if token_classes is not None else [])
    crops: list[list[np.ndarray]] = [[] for _ in grids]
    for t in tops:
        for l in lefts:
            for out, grid in zip(crops, grids):
                out.append(crop_window(grid, t, l, kr, kc))
    cond_w, img_w = (np.concatenate(c).astype(np.int64) for c in crops[:2])
    class_w = np.concatenate(crops[2]).astype(np.int64).reshape(-1) if token_classes is not None else None
    class_sums = np.zeros(len(class_names))
    total, count = 0.0, 0
    gpt.eval()
    for i in range(0, len(img_w), batch):
        c = torch.from_numpy(cond_w[i : i + batch])
        x = torch.from_numpy(img_w[i : i + batch])
        seq = torch.cat([c, x], 1)[:, :-1]
        with _autocast(precision):
            logits, _ = gpt(seq)
        logits = logits[:, c.shape[1] - 1 :, :].float()
        per_token = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), x.reshape(-1), reduction="none")
        total += float(per_token.sum())
        if class_w is not None:
            class_sums += np.bincount(class_w[count : count + x.numel()], weights=per_token.double().numpy(), minlength=len(class_names))[: len(class_names)]
        count += x.numel()
    ce = total / count
    per_class = {}
    if class_w is not None:
        tokens_per_class = np.bincount(class_w, minlength=len(class_names))[: len(class_names)]
        per_class = {"cross_entropy_per_class_nats": {name: (round(float(class_sums[c] / tokens_per_class[c]), 4) if tokens_per_class[c] else None) for c, name in enumerate(class_names)}}
    # Baselines on exactly the scored tokens.
    flat_img, flat_cond = img_w.reshape(-1), cond_w.reshape(-1)
    counts = np.bincount(flat_img, minlength=image_vocab).astype(np.float64)
    prob = counts[counts > 0] / counts.sum()
    unigram = float(-(prob * np.log(prob)).sum())
    # Per-cond-token unigram p(image | cond at the same position), fitted on one half of the scenes
    # and scored on the other (and vice versa), add-0.1 smoothing.
    half = len(img_w) // 2
    parts = [(slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))]
    cond_vocab = int(cond_w.max()) + 1
    nll, m = 0.0, 0
    for fit, score in parts:
        table = np.full((cond_vocab, image_vocab), 0.1)
        np.add.at(table, (cond_w[fit].reshape(-1), img_w[fit].reshape(-1)), 1.0)
        table /= table.sum(1, keepdims=True)
        nll += float(-np.log(table[cond_w[score].reshape(-1), img_w[score].reshape(-1)]).sum())
        m += img_w[score].size
    return {
        "cross_entropy_nats": round(ce, 4),
        "perplexity": round(math.exp(ce), 2),
        "unigram_entropy_nats": round(unigram, 4),
        "cond_unigram_cross_entropy_nats": round(nll / m, 4),
        "windows": int(len(img_w)),
        "tokens_scored": int(count),
        "precision": precision,
        **per_class,
    }


class FastSampler:
    """The reference sampler's two algorithms (training/reference_sampler.py), batched over layouts,
    with the transformer optionally under bf16 autocast. `exact` feeds only the prefix up to the
    token being drawn: under the causal mask these logits equal those of the full window."""

    def __init__(self, gpt, window: tuple[int, int], image_vocab: int, precision: str):
        self.gpt, self.window, self.vocab, self.precision = gpt.eval(), window, image_vocab, precision

    def _forward(self, ids: np.ndarray | torch.Tensor, past=None):
        ids = torch.as_tensor(ids, dtype=torch.int64)
        with _autocast(self.precision):
            logits, present = self.gpt(ids, past)
        return logits[:, -1, : self.vocab].float().numpy(), present

    def _draw(self, logits: np.ndarray, settings: SamplingSettings, rngs) -> list[int]:
        return [draw_token(logits[b].tolist(), settings, rng).token for b, rng in enumerate(rngs)]

    @torch.no_grad()
    def exact(self, cond: np.ndarray, settings: SamplingSettings, seeds: list[int]) -> np.ndarray:
        b, rows, cols = cond.shape
        kr, kc = self.window
        n = kr * kc
        tokens = np.zeros(cond.shape, dtype=np.int64)
        rngs = [Xoshiro128(s) for s in seeds]
        for i in range(rows):
            for j in range(cols):
                p = window_placement(i, j, rows, cols, kr, kc)
                position = n + p.local_row * kc + p.local_col - 1
                seq = np.concatenate([crop_window(cond, p.top, p.left, kr, kc), crop_window(tokens, p.top, p.left, kr, kc)], axis=1)
                logits, _ = self._forward(seq[:, : position + 1])
                tokens[:, i, j] = self._draw(logits, settings, rngs)
        return tokens

    @torch.no_grad()
    def cached(self, cond: np.ndarray, settings: SamplingSettings, seeds: list[int], stride: int) -> np.ndarray:
        b, rows, cols = cond.shape
        kr, kc = self.window
        n = kr * kc
        tokens = np.zeros(cond.shape, dtype=np.int64)
        rngs = [Xoshiro128(s) for s in seeds]
        for ch in chunk_schedule(rows, cols, kr, kc, stride):
            seq = np.concatenate([crop_window(cond, ch.top, ch.left, kr, kc), crop_window(tokens, ch.top, ch.left, kr, kc)], axis=1)
            first = n + ch.local_row * kc + ch.local_col
            logits, past = self._forward(seq[:, :first])
            for t in range(ch.count):
                drawn = self._draw(logits, settings, rngs)
                tokens[:, ch.row, ch.col + t] = drawn
                if t + 1 < ch.count:
                    logits, past = self._forward(torch.tensor(drawn, dtype=torch.int64).view(-1, 1), past)
        return tokens


@torch.no_grad()
def decode_tokens(image_vqgan, tokens: np.ndarray, precision: str, batch: int = 1) -> np.ndarray:
    out = []
    for i in range(0, len(tokens), batch):
        with _autocast(precision):
            out.append(_to_uint8(image_vqgan.decode_tokens(torch.from_numpy(tokens[i : i + batch].astype(np.int64)))))
    return np.concatenate(out)


def engine_settings(sampler: str, settings: SamplingSettings, stride: int) -> EngineSettings:
    return EngineSettings(sampler, stride if sampler == "cached" else None, settings.temperature, settings.top_k, settings.top_p)


def fidelity(models: Models, judge, cond: np.ndarray, labels: np.ndarray, sampler: str, settings: SamplingSettings, stride: int, precision: str, batch: int, job: Optional[EngineRun]) -> tuple[dict, np.ndarray]:
    """Layout fidelity: generate from the layouts, segment with the judge, mIoU against them.
    With an engine run (queued earlier on these layouts) the engine generates (what users run; seed
    0 for every layout), else the PyTorch reference (sample b uses seed b)."""
    started = time.perf_counter()
    if job is not None:
        images, engine_seconds = job.result()
        images = images[:, 0]
        runtime, seeds = "engine (onnxruntime-node, CPU, beside the other sections)", "0 for every layout"
    else:
        fs = FastSampler(models.gpt, models.window, models.image_vqgan.config.n_embed, precision)
        toks = []
        for i in range(0, len(cond), batch):
            toks.append(fs.exact(cond[i : i + batch], settings, list(range(i, min(i + batch, len(cond))))) if sampler == "exact"
                        else fs.cached(cond[i : i + batch], settings, list(range(i, min(i + batch, len(cond)))), stride))
        images = decode_tokens(models.image_vqgan, np.concatenate(toks), precision)
        runtime, seeds = f"PyTorch reference ({precision})", f"0..{len(cond) - 1}"
    sample_s = engine_seconds if job is not None else time.perf_counter() - started
    pred = segment(judge, images, batch=1)
    rep = iou_report(confusion(pred, labels))
    rep.update({"layouts": int(len(cond)), "sampler": sampler, "stride": stride if sampler == "cached" else 1,
                **({"lead": models.defaults.get("lead"), "parallel_order": models.defaults.get("parallelOrder", "bands")} if sampler == "parallel" else {}),
                "temperature": settings.temperature, "top_k": settings.top_k, "top_p": settings.top_p,
                "runtime": runtime, "sample_seconds": round(sample_s, 1), "seeds": seeds})
    return rep, images


def judge_at_fidelity_size(judge, image_vqgan, renders: np.ndarray, labels: np.ndarray, scenes: int, size: int, precision: str) -> dict:
    """The judge's mIoU on held-out renders of the fidelity size, and on their VQGAN reconstructions
    (what a perfect GPT could reach there)."""
    k = min(scenes, len(renders))
    out: dict[str, Any] = {"heldout_renders_at_fidelity_size": {**iou_report(confusion(segment(judge, renders[:k], batch=1), labels[:k])),
                                                                 "scenes": k, "size": f"{size}x{size}"}}
    if image_vqgan is not None:
        k = min(100, len(renders))
        recs = eval_image_vqgan(image_vqgan, renders[:k], precision)[1]
        out["vqgan_reconstructions_at_fidelity_size"] = {**iou_report(confusion(segment(judge, recs, batch=1), labels[:k])), "scenes": k, "size": f"{size}x{size}"}
    return out


def fidelity_layouts(layout_set: str, count: int, size: int, procedural: tuple[np.ndarray, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Per set named by `--layout-set`: `labels` and `renders` of its first `count` layouts at
    size x size, and `about` (what they are, for the result). The procedural ones are given (they
    are rendered for the judge sections anyway); the painted ones are the painted held-out set's."""
    if layout_set not in LAYOUT_SETS:
        raise ValueError(f"unknown layout set {layout_set!r}: choose one of {', '.join(LAYOUT_SETS)}")
    out: dict[str, dict[str, Any]] = {}
    for name in LAYOUT_SETS[layout_set]:
        if name == "procedural":
            renders, labels = procedural
            out[name] = {"labels": labels[:count], "renders": renders[:count], "about": {}}
        else:
            labels, renders, seeds = painted_fidelity_pool(count, size)
            out[name] = {"labels": labels, "renders": renders, "about": {
                "layouts": "painted held-out set, its first square members" + ("" if size == PAINTED_SET_SIZE else f", drawn at {size} px"),
                "seed_start": PAINTED_HELDOUT_SEED_START, "seeds": f"{seeds[0]}..{seeds[-1]}" if seeds else "", "painted_version": PAINTED_VERSION}}
    return out


def judge_on_layout_renders(judge, renders: np.ndarray, labels: np.ndarray, what: str) -> dict:
    """The judge's own mIoU on renders of a layout set it was not trained on, and whether it
    reaches the bar there (else fidelity measured on that set is not trustworthy: a warning)."""
    rep = {**iou_report(confusion(segment(judge, renders, batch=1), labels)), "scenes": int(len(renders))}
    rep["trusted"] = bool(rep["miou"] >= TRUST_MIOU)
    if not rep["trusted"]:
        print(f"warning: the judge's mIoU on renders of the {what} layouts ({rep['miou']}) is below {TRUST_MIOU}: "
              f"layout fidelity on them is not trustworthy", file=sys.stderr, flush=True)
    return rep


# ------------------------------------------------------------------------------------ grid
GRID_PAINTED_ROWS = 3  # of the grid's 6 rows, when the painted held-out set is evaluated too


def grid_rows(labels: np.ndarray, fid_sets: dict[str, dict[str, Any]], size: int) -> tuple[np.ndarray, int]:
    """The sample grid's 6 layouts: the procedural held-out set's first 6, or its first 3 and the painted
    set's first 3 when that set is evaluated at the same size (what people paint belongs in the grid)."""
    painted = fid_sets.get("painted", {}).get("labels")
    if painted is None or len(painted) < GRID_PAINTED_ROWS or painted.shape[1:] != labels.shape[1:] or size != labels.shape[1]:
        return labels[:6], 0
    return np.concatenate([labels[: 6 - GRID_PAINTED_ROWS], painted[:GRID_PAINTED_ROWS]]), GRID_PAINTED_ROWS


def sample_grid(models: Models, renders: np.ndarray, labels: np.ndarray, recs: np.ndarray, cond: np.ndarray, settings, stride: int, sampler: str, precision: str, path: Path, job: Optional[EngineRun], rows: int = 6, samples: int = 3) -> None:
    """layout | render | reconstruction | `samples` samples (seeds 0..samples-1), for `rows` layouts;
    from an engine job started on labels[:rows] with those seeds, or the PyTorch reference."""
    from PIL import Image

    if job is not None:
        imgs = job.result()[0]
    else:
        fs = FastSampler(models.gpt, models.window, models.image_vqgan.config.n_embed, precision)
        idx = np.arange(rows)
        c = np.repeat(cond[idx], samples, axis=0)
        seeds = [s for _ in idx for s in range(samples)]
        tokens = fs.exact(c, settings, seeds) if sampler == "exact" else fs.cached(c, settings, seeds, stride)
        imgs = decode_tokens(models.image_vqgan, tokens, precision).reshape(rows, samples, *renders.shape[1:])
    h, w = labels.shape[1:]
    gap = 4
    cols = 3 + samples
    canvas = np.full((rows * (h + gap) + gap, cols * (w + gap) + gap, 3), 32, np.uint8)
    for r in range(rows):
        tiles = [colourise(labels[r]), renders[r], recs[r], *imgs[r]]
        for k, t in enumerate(tiles):
            y, x = gap + r * (h + gap), gap + k * (w + gap)
            canvas[y : y + h, x : x + w] = t
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(canvas).save(path)


# ------------------------------------------------------------------------------------ main
def main(argv: Optional[list[str]] = None) -> int:
    if argv is None:
        # Every section below works one scene at a time, so the memory jemalloc keeps stays small.
        cpu_setup.reexec_with_jemalloc("training.evaluate")
    p = argparse.ArgumentParser(prog="python3 -m training.evaluate", description=__doc__.split("\n\n")[0])
    src = p.add_argument_group("what to evaluate (a bundle, or checkpoints)")
    src.add_argument("--bundle", type=Path)
    src.add_argument("--image-vqgan")
    src.add_argument("--seg-vqgan")
    src.add_argument("--gpt")
    p.add_argument("--judge", type=Path, default=JUDGE_WEIGHTS,
                   help="judge weights (default training/judge/judge-v2.pt; training/judge/judge-v3.pt also learnt from painted renders)")
    p.add_argument("--scenes", type=int, default=500, help="held-out scenes for the VQGAN, seg, GPT and judge metrics")
    p.add_argument("--gpt-scenes", type=int, default=100, help="held-out scenes (4 windows each) for the GPT's cross-entropy (500 take about 3 min on one core)")
    p.add_argument("--judge-scenes", type=int, default=200, help="held-out renders the judge's own mIoU is measured on (and as many at --fidelity-size; its 500-scene values are in the -metrics.json beside its weights, e.g. training/judge/judge-v2-metrics.json)")
    p.add_argument("--layouts", type=int, default=100, help="held-out layouts for layout fidelity (cached sampler)")
    p.add_argument("--exact-layouts", type=int, default=6, help="held-out layouts for layout fidelity with the exact sampler (0: skip; one full forward per token)")
    p.add_argument("--size", type=int, default=256, help="scene size for the VQGAN, seg, GPT and judge metrics and the grid")
    p.add_argument("--fidelity-size", type=int, default=128,
                   help="layout size for layout fidelity (default 128, one 16x16-token window: 100 layouts of 256x256, the studio's default canvas, take the engine about 11 min on 2 cores, over this script's 10-minute budget; measure them on their own with --fidelity-size 256 --scenes 100 --judge-scenes 100 --skip vqgan,seg,gpt,exact --engine-threads 2)")
    p.add_argument("--precision", choices=PRECISIONS, help="autocast for the networks (quantiser argmin stays fp32; default bf16, or fp32 on a CPU without hardware bf16)")
    p.add_argument("--temperature", type=float)
    p.add_argument("--top-k", type=int)
    p.add_argument("--top-p", type=float)
    p.add_argument("--stride", type=int, help="cached sampler stride (default: the bundle's)")
    p.add_argument("--fidelity-sampler", choices=["cached", "model"], default="cached",
                   help="layout fidelity's fast sampler: cached (at the bundle's stride; the figures before model 2.3) or model: "
                        "the bundle's default sampler with its lead and parallel order, what the studio runs (engine only)"),
    p.add_argument("--batch", type=int, default=50, help="layouts sampled together")
    p.add_argument("--cache", type=Path, default=None, help="render cache folder")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--engine-threads", type=int, default=1, help="onnxruntime threads of the engine runs (they go beside the PyTorch sections)")
    p.add_argument("--out", type=Path, help="metrics JSON")
    p.add_argument("--grid", type=Path, help="write the sample grid PNG here")
    p.add_argument("--runtime", choices=["engine", "torch"], help="what generates for layout fidelity and the grid: Tessera's engine on the bundle's ONNX files (default with --bundle, when npm ci has run) or the PyTorch reference")
    p.add_argument("--skip", default="", help="comma list of sections to skip: vqgan,seg,gpt,judge,cached,exact")
    p.add_argument("--layout-set", choices=list(LAYOUT_SETS), default="procedural",
                   help="layouts for layout fidelity: the renderer's held-out scenes (procedural, default), the painted held-out "
                        "set (painted: flat regions and simple shapes, like layouts people paint; use --fidelity-size 256, its size), "
                        "or both, each reported in its own section")
    args = p.parse_args(argv)
    args.precision = precision_for_device(args.precision or "bf16", "cpu", explicit=args.precision is not None, what="evaluate", insist="--precision bf16")
    if not args.bundle and not (args.image_vqgan or args.seg_vqgan):
        p.error("give --bundle, or checkpoints (--image-vqgan/--seg-vqgan/--gpt)")
    runtime = args.runtime or ("engine" if args.bundle and engine_available() else "torch")
    if runtime == "engine" and not args.bundle:
        p.error("--runtime engine needs --bundle (the engine runs the bundle's ONNX files)")
    # With the engine generating beside it (one thread), PyTorch keeps to the other core: more
    # runnable threads than cores made torch 4-7x slower here.
    torch.set_num_threads(1 if runtime == "engine" else args.threads)
    if runtime == "engine":
        with EngineQueue() as queue:  # closing it stops engine runs still going when a section fails
            return evaluate_all(args, queue)
    return evaluate_all(args, None)


def evaluate_all(args: argparse.Namespace, engine_queue: Optional[EngineQueue]) -> int:
    """Every section; with `engine_queue` the engine generates for layout fidelity and the grid."""
    skip = {s for s in args.skip.split(",") if s}
    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    result: dict[str, Any] = {"held_out": {"seed_start": HELDOUT_SEED_START, "scenes": args.scenes, "size": f"{args.size}x{args.size}"},
                              "precision": args.precision}

    def mark(name: str, t0: float) -> None:
        timings[name] = round(time.perf_counter() - t0, 1)
        print(f"[{name}] {timings[name]} s", flush=True)

    t0 = time.perf_counter()
    models = load_models(args)
    if args.bundle:
        result["bundle"] = {"id": models.manifest["id"], "version": models.manifest["version"], "path": str(args.bundle)}
    n_needed = max(args.scenes, args.layouts, args.exact_layouts, 6)
    renders, labels = render_pool(HELDOUT_SEED_START, n_needed, args.size, args.cache)
    mark("load_and_render", t0)
    judge = load_judge(args.judge) if args.judge and Path(args.judge).is_file() else None

    # Layout fidelity's generation is queued first: with a bundle the engine runs its jobs one after
    # another in the background (cached, exact, grid) while the sections below use the other core.
    can_fidelity = models.gpt is not None and judge is not None and models.seg_vqgan is not None and models.image_vqgan is not None
    jobs: dict[str, EngineRun] = {}
    if can_fidelity:
        d = models.defaults
        settings = SamplingSettings(
            temperature=args.temperature if args.temperature is not None else d["temperature"],
            top_k=args.top_k if args.top_k is not None else d["topK"],
            top_p=args.top_p if args.top_p is not None else d["topP"],
        )
        stride = args.stride or (d["stride"] if d["sampler"] == "cached" else models.window[1])
        # Layout fidelity's fast sampler: cached, or the model's default (parallel: its lead and order from the manifest).
        fast = d["sampler"] if args.fidelity_sampler == "model" and d["sampler"] != "exact" else "cached"
        if fast != "cached" and engine_queue is None:
            raise SystemExit(f"--fidelity-sampler model needs the engine (the PyTorch reference has no fast {fast} sampler here): run npm ci, or use --fidelity-sampler cached")
        n_fid = max(args.layouts, args.exact_layouts)
        fid_renders, fid_labels = (renders, labels) if args.fidelity_size == args.size else render_pool(HELDOUT_SEED_START, max(n_fid, args.judge_scenes), args.fidelity_size, args.cache)
        fid_sets = fidelity_layouts(args.layout_set, n_fid, args.fidelity_size, (fid_renders, fid_labels))
        if engine_queue is not None:
            classes = models.manifest["classes"]
            for name, layouts in fid_sets.items():
                if "cached" not in skip and args.layouts > 0:
                    jobs[f"cached-{name}"] = engine_queue.submit(args.bundle, layouts["labels"][: args.layouts], classes, [0], engine_settings(fast, settings, stride), threads=args.engine_threads)
                if "exact" not in skip and args.exact_layouts > 0:
                    jobs[f"exact-{name}"] = engine_queue.submit(args.bundle, layouts["labels"][: args.exact_layouts], classes, [0], engine_settings("exact", settings, stride), threads=args.engine_threads)
            if args.grid is not None and "vqgan" not in skip:
                jobs["grid"] = engine_queue.submit(args.bundle, grid_rows(labels, fid_sets, args.size)[0], classes, [0, 1, 2], engine_settings(d["sampler"], settings, stride), threads=args.engine_threads)

    recs = image_tokens = cond_tokens = None
    if models.image_vqgan is not None and "vqgan" not in skip:
        t0 = time.perf_counter()
        result["image_vqgan"], recs, image_tokens = eval_image_vqgan(models.image_vqgan, renders[: args.scenes], args.precision)
        mark("image_vqgan", t0)
        print(json.dumps(result["image_vqgan"]), flush=True)
    if models.seg_vqgan is not None and "seg" not in skip:
        t0 = time.perf_counter()
        result["seg_vqgan"], cond_tokens = eval_seg_vqgan(models.seg_vqgan, labels[: args.scenes], args.precision)
        mark("seg_vqgan", t0)
        print(json.dumps({k: v for k, v in result["seg_vqgan"].items() if k != "per_class_iou"}), flush=True)
    if judge is not None and "judge" not in skip:
        t0 = time.perf_counter()
        k = min(args.judge_scenes, len(renders))
        rep = iou_report(confusion(segment(judge, renders[:k], batch=1), labels[:k]))
        rep["scenes"] = k
        result["judge"] = {"weights": str(args.judge), "heldout_renders": rep}
        if recs is not None:
            k = min(100, len(recs))
            result["judge"]["vqgan_reconstructions"] = {**iou_report(confusion(segment(judge, recs[:k], batch=1), labels[:k])), "scenes": k}
        if can_fidelity and args.fidelity_size != args.size:
            # The judge is trusted only at the sizes it is used at: layout fidelity segments
            # `--fidelity-size` images, so its own mIoU and the reconstruction ceiling are measured there too.
            result["judge"].update(judge_at_fidelity_size(judge, models.image_vqgan if "vqgan" not in skip else None,
                                                          fid_renders, fid_labels, args.judge_scenes, args.fidelity_size, args.precision))
        trust = [r["miou"] for key, r in result["judge"].items() if key.startswith("heldout_renders")]
        result["judge"]["trusted"] = bool(min(trust) >= TRUST_MIOU)
        if not result["judge"]["trusted"]:
            print(f"warning: the judge's own held-out mIoU ({min(trust)}) is below {TRUST_MIOU}: layout fidelity measured with it is not trustworthy; "
                  "train a better judge (python3 -m training.judge train)", file=sys.stderr, flush=True)
        mark("judge", t0)
        print(json.dumps({"judge_miou": rep["miou"], "on_reconstructions": result["judge"].get("vqgan_reconstructions", {}).get("miou"),
                          "trusted": result["judge"]["trusted"]}), flush=True)
    if models.gpt is not None and image_tokens is not None and cond_tokens is not None and "gpt" not in skip:
        t0 = time.perf_counter()
        k = min(args.gpt_scenes, len(image_tokens))
        classes = cell_classes(labels[:k], models.image_vqgan.config.grid_factor, len(CLASS_NAMES))
        result["gpt"] = {**eval_gpt_ce(models.gpt, image_tokens[:k], cond_tokens[:k], models.window, models.image_vqgan.config.n_embed, args.precision, token_classes=classes), "scenes": k}
        mark("gpt_ce", t0)
        print(json.dumps(result["gpt"]), flush=True)
    if can_fidelity:
        result["defaults"] = d
        with torch.no_grad():
            # One scene at a time: 500 whole-size label maps at once is a 1.4 GB one-hot input and
            # several GB of activations (this ran out of 24 GB once).
            def encode_cond(maps: np.ndarray) -> np.ndarray:
                if len(maps) == 0:  # --layouts 0 --exact-layouts 0
                    return np.zeros((0, *models.window), dtype=np.int64)
                return np.concatenate([models.seg_vqgan.encode_labels(torch.from_numpy(maps[i : i + 1].astype(np.int64))).indices.numpy() for i in range(len(maps))])

            grid_labels, painted_rows = grid_rows(labels, fid_sets, args.size)
            all_cond = encode_cond(grid_labels)  # the grid's rows
        for name, layouts in fid_sets.items():
            # Timings and progress lines keep their names for the procedural set.
            tag = "" if name == "procedural" else f"_{name}"
            set_labels = layouts["labels"]
            with torch.no_grad():
                fid_cond = encode_cond(set_labels[:n_fid])
            fid: dict[str, Any] = {"size": f"{args.fidelity_size}x{args.fidelity_size}", **layouts["about"]}
            if name != "procedural" and len(set_labels):
                fid["judge_on_renders"] = judge_on_layout_renders(judge, layouts["renders"], set_labels, name)
            if "cached" not in skip and args.layouts > 0:
                t0 = time.perf_counter()
                fid[fast], _ = fidelity(models, judge, fid_cond[: args.layouts], set_labels[: args.layouts], fast, settings, stride, args.precision, args.batch, jobs.get(f"cached-{name}"))
                mark(f"fidelity_{fast}{tag}", t0)
                print(json.dumps({f"fidelity_{fast}{tag}_miou": fid[fast]["miou"]}), flush=True)
            if "exact" not in skip and args.exact_layouts > 0:
                t0 = time.perf_counter()
                fid["exact"], _ = fidelity(models, judge, fid_cond[: args.exact_layouts], set_labels[: args.exact_layouts], "exact", settings, stride, args.precision, args.batch, jobs.get(f"exact-{name}"))
                mark(f"fidelity_exact{tag}", t0)
                print(json.dumps({f"fidelity_exact{tag}_miou": fid["exact"]["miou"]}), flush=True)
            result[FIDELITY_KEYS[name]] = fid
        if args.grid is not None and recs is not None:
            t0 = time.perf_counter()
            grid_renders, grid_recs = renders[:6], recs[:6]
            if painted_rows:  # the painted rows' renders and their reconstructions, beside the procedural ones
                painted_renders = fid_sets["painted"]["renders"][:painted_rows]
                keep = 6 - painted_rows
                grid_renders = np.concatenate([renders[:keep], painted_renders])
                grid_recs = np.concatenate([recs[:keep], eval_image_vqgan(models.image_vqgan, painted_renders, args.precision)[1]])
            sample_grid(models, grid_renders, grid_labels, grid_recs, all_cond, settings, stride, d["sampler"], args.precision, args.grid, jobs.get("grid"))
            mark("grid", t0)
    timings["total"] = round(time.perf_counter() - t_all, 1)
    result["seconds"] = timings
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
