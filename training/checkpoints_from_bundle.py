"""Write a bundle's PyTorch weights back out as the toolkit's checkpoints, to train on from a shipped
model (fine-tune the default model on your own scenes, or continue one of its stages):

    /usr/bin/python3 -m training.checkpoints_from_bundle assets/models/tessera-landscapes-v1 runs/from-bundle

writes image-vqgan.ckpt, seg-vqgan.ckpt and gpt.ckpt (weights only: `encode_tokens`, `export_bundle`
and `--init-from` take them; `--resume` refuses them, as it does any slim checkpoint). The bundle's
`torch-weights.pt` is all that is needed: a trained bundle is the one thing a run has to keep.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from .bundle_writer import load_bundle_models
from .checkpoints import save_checkpoint
from .token_dataset import codebook_fingerprint

CHECKPOINT_NAMES = {"image_vqgan": "image-vqgan.ckpt", "seg_vqgan": "seg-vqgan.ckpt", "gpt": "gpt.ckpt"}

# A trained bundle's manifest notes its steps as "steps: image VQGAN A, seg VQGAN B, GPT C; ...".
_STEPS = re.compile(r"steps: image VQGAN (?P<image_vqgan>[^,;]+), seg VQGAN (?P<seg_vqgan>[^,;]+), GPT (?P<gpt>[^,;]+)")
_PERCEPTUAL = re.compile(r"perceptual loss: (?P<kind>[^;]+)")


def bundle_checkpoints(bundle: str | Path) -> dict[str, dict[str, Any]]:
    """The three weights-only checkpoint payloads of a bundle, by stage."""
    models, manifest = load_bundle_models(bundle)
    notes = str(manifest.get("source", {}).get("notes", ""))
    steps_match = _STEPS.search(notes)
    perceptual_match = _PERCEPTUAL.search(notes)
    origin = {"bundle": str(Path(bundle).resolve()), "id": manifest["id"], "version": manifest["version"]}

    def steps_of(stage: str) -> str:
        return steps_match.group(stage).strip() if steps_match else f"unknown (from bundle {manifest['id']} {manifest['version']})"

    image_state = {k: v.float() if v.is_floating_point() else v for k, v in models.image_vqgan.state_dict().items()}
    seg_state = {k: v.float() if v.is_floating_point() else v for k, v in models.seg_vqgan.state_dict().items()}
    image_codebook, cond_codebook = codebook_fingerprint(image_state), codebook_fingerprint(seg_state)
    common = {"step": 0, "weights_only": True}
    image = {
        **common,
        "stage": "image_vqgan",
        "config": {"from_bundle": origin, "steps": steps_of("image_vqgan"), "perceptual": perceptual_match.group("kind").strip() if perceptual_match else "unknown"},
        "model_config": models.image_vqgan.config.to_dict(),
        "model": image_state,
        "classes": models.classes,
    }
    seg = {
        **common,
        "stage": "seg_vqgan",
        "config": {"from_bundle": origin, "steps": steps_of("seg_vqgan")},
        "model_config": models.seg_vqgan.config.to_dict(),
        "model": seg_state,
        "classes": models.classes,
    }
    gpt_config = models.gpt.config
    window = {"rows": models.window[0], "cols": models.window[1]}
    image_vqgan_meta = {"path": origin["bundle"], "step": 0, "codebook": image_codebook}
    seg_vqgan_meta = {"path": origin["bundle"], "step": 0, "codebook": cond_codebook}
    grid_factor = models.image_vqgan.config.grid_factor
    gpt = {
        **common,
        "stage": "gpt",
        "config": {
            "from_bundle": origin,
            "steps": steps_of("gpt"),
            "config_name": f"{manifest['id']} {manifest['version']}",
            "window": window,
            "tokens": {
                "image_vocab": models.image_vqgan.config.n_embed,
                "cond_vocab": models.seg_vqgan.config.n_embed,
                "grid_factor": grid_factor,
                "image_codebook": image_codebook,
                "cond_codebook": cond_codebook,
            },
        },
        "model_config": gpt_config.to_dict(),
        "window": window,
        "model": models.gpt.state_dict(),
        "tokens_meta": {
            "image_vqgan": image_vqgan_meta,
            "seg_vqgan": seg_vqgan_meta,
            "image_vocab": models.image_vqgan.config.n_embed,
            "cond_vocab": models.seg_vqgan.config.n_embed,
            "grid_factor": grid_factor,
        },
    }
    return {"image_vqgan": image, "seg_vqgan": seg, "gpt": gpt}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.checkpoints_from_bundle", description=__doc__.split("\n")[0])
    parser.add_argument("bundle", type=Path, help="a bundle folder with torch-weights.pt")
    parser.add_argument("out", type=Path, help="folder for image-vqgan.ckpt, seg-vqgan.ckpt and gpt.ckpt")
    parser.add_argument("--force", action="store_true", help="overwrite checkpoints already in OUT")
    args = parser.parse_args(argv)
    targets = {stage: args.out / name for stage, name in CHECKPOINT_NAMES.items()}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not args.force:
        parser.error(f"{', '.join(existing)} already exist: choose another folder, or pass --force to overwrite")
    try:
        payloads = bundle_checkpoints(args.bundle)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"error: {args.bundle}: {exc}", file=sys.stderr)
        return 2
    for stage, payload in payloads.items():
        save_checkpoint(targets[stage], payload)
        print(f"{targets[stage]}: {stage}, steps {payload['config']['steps']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
