"""The reference sampler: taming's per-token sliding-window algorithm run on the PyTorch models,
with the PRNG and draw arithmetic of docs/SAMPLING.md reproduced bit-exactly, so the engine's
output can be checked token for token. Also the cached stride-s variant (shared/grid.ts chunkSchedule)
and the parallel sampler (several rows at once, shared/parallel-schedule.ts), which runs the positions
cache graph's own computation (positions_cache_graph.positions_forward) eagerly.

    /usr/bin/python3 -m training.reference_sampler --bundle DIR --layout L.png --seed N [--out image.png]
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .bundle_writer import BundleModels, load_bundle_models
from .grid import chunk_schedule, crop_window, window_placement
from .parallel_schedule import parallel_plan
from .positions_cache_graph import positions_forward
from .layouts import read_layout
from .prng import Xoshiro128
from .sampling import SamplingSettings, draw_token
from .vqgan import check_label_range


DEFAULT_LEAD = 2  # the parallel sampler's lead when neither the command line nor the manifest gives one


@dataclass
class SampleResult:
    tokens: np.ndarray  # (B, rows, cols) int64
    entropy: np.ndarray  # (B, rows, cols) float64
    min_margin: float  # smallest distance of any draw to flipping (see sampling.Draw.margin)


class ReferenceSampler:
    def __init__(self, models: BundleModels) -> None:
        self.models = models
        self.window = models.window
        self.image_vocab = models.image_vqgan.config.n_embed

    @torch.no_grad()
    def encode_layout(self, labels: np.ndarray) -> np.ndarray:
        """(B, H, W) class ids → (B, h, w) cond tokens, in fp32 like the exported cond encoder."""
        t = torch.from_numpy(np.asarray(labels, dtype=np.int64))
        check_label_range(t, self.models.seg_vqgan.num_classes)
        return self.models.seg_vqgan.encode_labels(t).indices.numpy()

    @torch.no_grad()
    def decode(self, tokens: np.ndarray) -> np.ndarray:
        """(B, h, w) tokens → uint8 (B, H, W, 3) images."""
        image = torch.clamp(self.models.image_vqgan.decode_tokens(torch.from_numpy(tokens.astype(np.int64))), -1, 1)
        return np.clip(np.round((image.numpy() + 1.0) * 127.5), 0, 255).astype(np.uint8).transpose(0, 2, 3, 1)

    def _check_grid(self, cond: np.ndarray, seeds: list[int]) -> tuple[int, int, int, int]:
        if cond.ndim != 3:
            raise ValueError("cond tokens must be (B, rows, cols)")
        if len(seeds) != cond.shape[0]:
            raise ValueError(f"one seed per sample: {cond.shape[0]} samples, {len(seeds)} seeds")
        rows, cols = cond.shape[1:]
        kr, kc = self.window
        if rows < kr or cols < kc:
            raise ValueError(f"the token grid {rows}x{cols} is smaller than one {kr}x{kc} window")
        return rows, cols, kr, kc

    def _draw(self, logits: torch.Tensor, settings: SamplingSettings, rngs: list[Xoshiro128]) -> tuple[list[int], list[float], float]:
        values = logits[:, : self.image_vocab].float().numpy()  # float32 logits of the image codebook
        tokens, entropies, margin = [], [], float("inf")
        for b, rng in enumerate(rngs):
            draw = draw_token(values[b].tolist(), settings, rng)
            tokens.append(draw.token)
            entropies.append(draw.entropy)
            margin = min(margin, draw.margin)
        return tokens, entropies, margin

    @torch.no_grad()
    def sample_exact(self, cond: np.ndarray, settings: SamplingSettings, seeds: list[int]) -> SampleResult:
        """Taming's loop: one full (2·k_r·k_c − 1)-token forward per token, no cache."""
        rows, cols, kr, kc = self._check_grid(cond, seeds)
        n = kr * kc
        tokens = np.zeros(cond.shape, dtype=np.int64)  # not-yet-sampled placeholders; the causal mask hides them
        entropy = np.zeros(cond.shape, dtype=np.float64)
        rngs = [Xoshiro128(s) for s in seeds]
        margin = float("inf")
        gpt = self.models.gpt.eval()
        for i in range(rows):
            for j in range(cols):
                p = window_placement(i, j, rows, cols, kr, kc)
                sequence = np.concatenate([crop_window(cond, p.top, p.left, kr, kc), crop_window(tokens, p.top, p.left, kr, kc)], axis=1)
                logits, _ = gpt(torch.from_numpy(sequence[:, :-1]))
                position = n + p.local_row * kc + p.local_col - 1
                drawn, ent, m = self._draw(logits[:, position, :], settings, rngs)
                tokens[:, i, j] = drawn
                entropy[:, i, j] = ent
                margin = min(margin, m)
        return SampleResult(tokens, entropy, margin)

    @torch.no_grad()
    def sample_cached(self, cond: np.ndarray, settings: SamplingSettings, seeds: list[int], stride: int) -> SampleResult:
        """Per chunk of `stride` tokens: one prefix forward up to the chunk's first token, then one
        cached single-token step per further token. stride 1 gives the same windows as exact."""
        rows, cols, kr, kc = self._check_grid(cond, seeds)
        n = kr * kc
        tokens = np.zeros(cond.shape, dtype=np.int64)
        entropy = np.zeros(cond.shape, dtype=np.float64)
        rngs = [Xoshiro128(s) for s in seeds]
        margin = float("inf")
        gpt = self.models.gpt.eval()
        for chunk in chunk_schedule(rows, cols, kr, kc, stride):
            sequence = np.concatenate([crop_window(cond, chunk.top, chunk.left, kr, kc), crop_window(tokens, chunk.top, chunk.left, kr, kc)], axis=1)
            first = n + chunk.local_row * kc + chunk.local_col  # sequence index of the chunk's first token
            logits, past = gpt(torch.from_numpy(sequence[:, :first]))
            for t in range(chunk.count):
                drawn, ent, m = self._draw(logits[:, -1, :], settings, rngs)
                tokens[:, chunk.row, chunk.col + t] = drawn
                entropy[:, chunk.row, chunk.col + t] = ent
                margin = min(margin, m)
                if t + 1 < chunk.count:
                    logits, past = gpt(torch.tensor(drawn, dtype=torch.int64).view(-1, 1), past)
        return SampleResult(tokens, entropy, margin)

    @torch.no_grad()
    def sample_parallel(self, cond: np.ndarray, settings: SamplingSettings, seeds: list[int], lead: int, order: str = "bands") -> SampleResult:
        """Rows decoded at once, each `lead` columns behind the row above (docs/SAMPLING.md,
        "parallel"): the plan's feeds run on one position-addressed KV cache per window, in the plan's
        order; draws per step, rows ascending."""
        rows, cols, kr, kc = self._check_grid(cond, seeds)
        batch = cond.shape[0]
        tokens = np.zeros(cond.shape, dtype=np.int64)
        entropy = np.zeros(cond.shape, dtype=np.float64)
        rngs = [Xoshiro128(s) for s in seeds]
        margin = float("inf")
        gpt = self.models.gpt.eval()
        cfg = gpt.config
        capacity = 2 * kr * kc
        plan = parallel_plan(rows, cols, kr, kc, lead, order)
        caches: dict[int, tuple[list[torch.Tensor], torch.Tensor]] = {}
        flat_cond, flat_tokens = cond.reshape(batch, -1), tokens.reshape(batch, -1)
        for step in plan.steps:
            logits_of: dict[int, torch.Tensor] = {}
            for feed in step.feeds:
                if feed.window not in caches:
                    caches[feed.window] = ([torch.zeros(batch, cfg.n_head, capacity, cfg.head_dim) for _ in range(2 * cfg.n_layer)], torch.zeros(batch, capacity, dtype=torch.int64))
                past, valid = caches[feed.window]
                ids = torch.tensor(np.stack([(flat_cond if it.source == "cond" else flat_tokens)[:, it.cell] for it in feed.items], axis=1))
                positions = torch.tensor([it.position for it in feed.items], dtype=torch.int64).repeat(batch, 1)
                out = positions_forward(gpt, ids, positions, valid, past)
                for t, it in enumerate(feed.items):
                    if it.store:
                        for i in range(2 * cfg.n_layer):
                            past[i][:, :, it.position] = out[1 + i][:, :, t]
                        valid[:, it.position] = 1
                for q in feed.queries:
                    logits_of[q.cell] = out[0][:, q.item, :]
            for cell in step.cells:
                drawn, ent, m = self._draw(logits_of[cell], settings, rngs)
                flat_tokens[:, cell] = drawn
                entropy.reshape(batch, -1)[:, cell] = ent
                margin = min(margin, m)
            for w in step.release:
                caches.pop(w, None)
        return SampleResult(tokens, entropy, margin)

    def sample(self, cond: np.ndarray, settings: SamplingSettings, seeds: list[int], sampler: str = "exact", stride: int = 1, lead: int = 1, order: str = "bands") -> SampleResult:
        if sampler == "exact":
            return self.sample_exact(cond, settings, seeds)
        if sampler == "cached":
            return self.sample_cached(cond, settings, seeds, stride)
        if sampler == "parallel":
            return self.sample_parallel(cond, settings, seeds, lead, order)
        raise ValueError(f"sampler must be 'exact', 'cached' or 'parallel' (got {sampler!r})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.reference_sampler", description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", required=True, help="bundle folder (with torch-weights.pt)")
    parser.add_argument("--layout", required=True, help="label map PNG: grey values = class ids, or RGB in class colours")
    parser.add_argument("--seed", type=int, action="append", help="seed in 0..2^32-1; repeat for a batch (default 0)")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--top-k", type=int)
    parser.add_argument("--top-p", type=float)
    parser.add_argument("--sampler", choices=["exact", "cached", "parallel"])
    parser.add_argument("--stride", type=int)
    parser.add_argument("--lead", type=int, help="the parallel sampler's lead (default: the model's, else 2)")
    parser.add_argument("--out", help="PNG to write (the first sample; -N suffixes for the others)")
    parser.add_argument("--tokens-out", help="JSON file for the cond and image tokens")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (1 when the machine is busy)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    models, manifest = load_bundle_models(args.bundle)
    defaults = manifest.get("defaults", {})
    settings = SamplingSettings(
        temperature=args.temperature if args.temperature is not None else defaults.get("temperature", 1.0),
        top_k=args.top_k if args.top_k is not None else defaults.get("topK", 0),
        top_p=args.top_p if args.top_p is not None else defaults.get("topP", 1.0),
    )
    sampler = args.sampler or defaults.get("sampler", "exact")
    stride = args.stride or defaults.get("stride", 1)
    lead = args.lead or defaults.get("lead", DEFAULT_LEAD)
    order = defaults.get("parallelOrder", "bands")  # a property of the model, as in the engine
    seeds = args.seed or [0]
    labels = read_layout(args.layout, manifest["classes"], manifest["gridFactor"])
    reference = ReferenceSampler(models)
    encode_started = time.perf_counter()
    cond = reference.encode_layout(np.repeat(labels[None], len(seeds), axis=0))
    started = time.perf_counter()
    result = reference.sample(cond, settings, seeds, sampler, stride, lead, order)
    seconds = time.perf_counter() - started
    encode_seconds = started - encode_started
    rows, cols = cond.shape[1:]
    print(f"{rows}x{cols} tokens, {sampler} sampler ({f'lead {lead}' if sampler == 'parallel' else f'stride {stride}'}), {len(seeds)} sample(s): {seconds:.2f} s, min margin {result.min_margin:.3g}")
    if args.tokens_out:
        # Timings ride along for the benchmark (electron/cli/bench/reference-run.ts reads them), so it
        # need not parse the printed line; peak RSS is this whole process (torch, weights, sampling).
        Path(args.tokens_out).write_text(json.dumps({
            "seeds": seeds, "condTokens": cond[0].tolist(), "tokens": result.tokens.tolist(),
            "sampler": sampler, "stride": stride, "lead": lead, "seconds": seconds, "encodeSeconds": encode_seconds,
            "threads": torch.get_num_threads(), "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }))
    if args.out:
        from PIL import Image

        images = reference.decode(result.tokens)
        out = Path(args.out)
        for b, image in enumerate(images):
            target = out if b == 0 else out.with_name(f"{out.stem}-{b}{out.suffix}")
            Image.fromarray(image).save(target)
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
