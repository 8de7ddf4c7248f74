"""Export trained checkpoints into a Tessera model bundle folder (ONNX opset 17 + manifest.json).

    /usr/bin/python3 -m training.export_bundle --image-vqgan runs/image-vqgan/last.ckpt \
        --seg-vqgan runs/seg-vqgan/last.ckpt --gpt runs/gpt/last.ckpt --out bundles/landscapes-v1 \
        --id landscapes-v1 --name "Landscapes v1" [--int8]
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import sys
from pathlib import Path

import torch

from .bundle_writer import BundleModels, write_bundle
from .gpt_training import load_gpt
from .token_dataset import codebook_fingerprint
from .checkpoints import load_checkpoint
from .vqgan import SegmentationVQModel
from .vqgan_training import load_vqgan

TOOLKIT_VERSION = "0.1.0"


def _steps(payload: dict) -> str:
    """A checkpoint's training steps, naming its earlier stage when it continued another checkpoint
    (the decoder fine-tune's `source`, a seg VQGAN's `init_from`)."""
    config = payload.get("config", {})
    if config.get("from_bundle"):  # training.checkpoints_from_bundle: the steps its bundle recorded
        return str(config["steps"])
    if config.get("finetune") == "decoder":
        source = config["source"]
        earlier = str(source["step"])
        # A fine-tune of a fine-tune names the whole chain, when the source checkpoint is still there.
        if Path(source["path"]).is_file():
            earlier = _steps(load_checkpoint(source["path"]))
        return f"{earlier} + decoder fine-tune {payload['step']}"
    if config.get("init_from"):
        # Continued from another checkpoint (a seg VQGAN without attention, a GPT trained on): its
        # steps count too, when it is still there to read.
        init = Path(config["init_from"])
        if init.is_file():
            return f"{_steps(load_checkpoint(init))} + {payload['step']}"
        return f"{payload['step']} (continued from {init.parent.name})"
    return str(payload["step"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.export_bundle", description=__doc__.split("\n")[0])
    parser.add_argument("--image-vqgan", required=True)
    parser.add_argument("--seg-vqgan", required=True)
    parser.add_argument("--gpt", required=True)
    parser.add_argument("--out", required=True, help="bundle folder (must not exist or be empty)")
    parser.add_argument("--id", required=True, help="bundle id: lowercase letters, digits, . _ -")
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--license", default="MIT")
    parser.add_argument("--description")
    parser.add_argument("--dataset", default="procedural landscapes (training/data)", help="recorded in source.dataset")
    parser.add_argument("--int8", action="store_true", help="also write transformer.int8.onnx (dynamic int8 MatMuls)")
    parser.add_argument("--fp16-vqgans", action="store_true", help="store the three VQGAN graphs' weights as fp16 (computed in fp32; half their size)")
    parser.add_argument("--onnx-only", action="store_true", help="leave out torch-weights.pt (the PyTorch weights the reference sampler and training.evaluate run)")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top-k", type=int, default=100)
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--sampler", choices=["exact", "cached"], default="exact")
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--lead", type=int, help="the parallel sampler's default lead (manifest defaults.lead; absent: the engine's 2)")
    parser.add_argument("--parallel-order", choices=["bands", "wavefront"], default="wavefront",
                        help="how the parallel sampler's bands overlap (docs/SAMPLING.md); wavefront: no edges at band borders (default)")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (1 when the machine is busy)")
    parser.add_argument("--allow-mismatch", action="store_true", help="skip the check that the GPT was trained on these VQGANs' tokens")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    image, image_payload = load_vqgan(args.image_vqgan, "image_vqgan")
    seg, seg_payload = load_vqgan(args.seg_vqgan, "seg_vqgan")
    assert isinstance(seg, SegmentationVQModel)
    gpt, gpt_payload = load_gpt(args.gpt)
    tokens_meta = gpt_payload.get("tokens_meta", {})
    if not args.allow_mismatch:
        expected = (tokens_meta.get("image_vqgan", {}).get("codebook"), tokens_meta.get("seg_vqgan", {}).get("codebook"))
        actual = (codebook_fingerprint(image_payload["model"]), codebook_fingerprint(seg_payload["model"]))
        if expected != actual:
            parser.error("the GPT was trained on tokens of other VQGAN checkpoints (codebook fingerprints differ); pass the VQGANs used by encode_tokens, or --allow-mismatch")
    window = (int(gpt_payload["window"]["rows"]), int(gpt_payload["window"]["cols"]))
    perceptual = image_payload["config"].get("perceptual", "unknown")
    notes = (
        f"steps: image VQGAN {_steps(image_payload)}, seg VQGAN {_steps(seg_payload)}, GPT {_steps(gpt_payload)}; "
        f"perceptual loss: {perceptual}; config {gpt_payload['config'].get('config_name')}"
        + ("; VQGAN weights stored as fp16" if args.fp16_vqgans else "")
    )
    identity = {
        "id": args.id,
        "name": args.name,
        "version": args.version,
        "license": args.license,
        "description": args.description,
        "source": {"kind": "trained", "toolkitVersion": TOOLKIT_VERSION, "dataset": args.dataset, "notes": notes},
    }
    defaults = {"temperature": args.temperature, "topK": args.top_k, "topP": args.top_p, "sampler": args.sampler, "stride": args.stride,
                "parallelOrder": args.parallel_order, **({"lead": args.lead} if args.lead is not None else {})}
    models = BundleModels(image, seg, gpt, window, seg_payload["classes"])
    manifest = write_bundle(args.out, models, identity, defaults, int8=args.int8, torch_weights=not args.onnx_only, fp16_vqgans=args.fp16_vqgans)
    total = sum(f["bytes"] for f in manifest["files"].values())
    print(f"wrote {args.out}: {len(manifest['files'])} ONNX files, {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
