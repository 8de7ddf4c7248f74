"""A random-weight bundle with a real architecture, for benchmarks: it produces noise, but its graphs
have the real sizes, so sampler and decoder timings are representative.

    /usr/bin/python3 bench/make_random_bundle.py --out /tmp/tessera-bench-landscapes [--config landscapes-v1]
    /usr/bin/python3 bench/make_random_bundle.py --shape sflckr --out /tmp/tessera-bench-sflckr

--shape config (default): the VQGANs and GPT of a run config (landscapes-v1 = the default model's
    architecture: f8, GPT 6 layers × 256 wide), with the defaults the default model ships.
--shape sflckr: what training.convert_taming makes of the official S-FLCKR checkpoint: f16 VQGANs
    (ch 128 × [1,1,2,2,4], attention at 16, 1024 codes), 182 COCO-Stuff classes, GPT 24 layers × 16
    heads × 1024 wide, block 512, a 16×16 window, and the converter's own sampler defaults. About
    1.6 GB of ONNX (no torch-weights.pt unless --torch-weights: the Python reference at this size
    is too slow to be a useful comparison), built in a few minutes (mostly previewColors: one
    decode per image code).

Both use the in-place KV-cache transformer graph (training/inplace_cache_graph.py), as every new
export does.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import cpu_setup  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.bundle_writer import BundleModels, write_bundle  # noqa: E402
from training.cocostuff import manifest_classes  # noqa: E402
from training.convert_taming import ConvertOptions, shapes_from_config, window_for  # noqa: E402
from training.datasets import images_to_tensor_range  # noqa: E402
from training.gpt import GPT, GPTConfig  # noqa: E402
from training.gpt_training import gpt_config_for  # noqa: E402
from training.run_config import load_run_config, stage_section  # noqa: E402
from training.synthetic_scenes import FIXTURE_CLASSES, synthetic_image, synthetic_layout  # noqa: E402
# The one place the official S-FLCKR shapes are written down as a taming project config; a test
# checks its key listing against the real f16 model's.
from training.tests.convert_fixtures.fake_taming_checkpoint import FakeTamingConfig, project_yaml  # noqa: E402
from training.vqgan import SegmentationVQModel, VQModel, labels_to_onehot  # noqa: E402
from training.vqgan_training import model_config_for  # noqa: E402

SEED_SCENES = 4


def config_models(config_name: str) -> tuple[BundleModels, dict[str, object]]:
    """The run config's architecture; GPT weights drawn wider than training's init so logits are not flat."""
    config = load_run_config(config_name)
    classes = [dict(c) for c in FIXTURE_CLASSES]
    image = VQModel(model_config_for(stage_section(config, "image_vqgan"), "image_vqgan", None))
    seg = SegmentationVQModel(model_config_for(stage_section(config, "seg_vqgan"), "seg_vqgan", len(classes)))
    gpt_config, window = gpt_config_for(stage_section(config, "gpt"), image.config.n_embed, seg.config.n_embed)
    gpt = GPT(GPTConfig.from_dict({**gpt_config.to_dict(), "init_std": 0.3}))
    defaults = {"temperature": 1.0, "topK": 100, "topP": 1.0, "sampler": "cached", "stride": window[1]}
    return BundleModels(image, seg, gpt, window, classes), defaults


def sflckr_models() -> tuple[BundleModels, dict[str, object]]:
    """The converter's reading of the S-FLCKR project config, with the converter's default settings."""
    shapes = shapes_from_config(project_yaml(FakeTamingConfig()), "the S-FLCKR project config (random weights)")
    image, seg = VQModel(shapes.image), SegmentationVQModel(shapes.cond)
    gpt = GPT(shapes.gpt)
    return BundleModels(image, seg, gpt, window_for(shapes.gpt, None), manifest_classes()), dict(ConvertOptions().defaults)


def init_codebooks(models: BundleModels, side: int) -> None:
    """k-means-style codebook init from a few synthetic scenes, so random encoders still use many codes."""
    n_classes = len(models.classes)
    layouts = np.stack([synthetic_layout(100 + i, side, side, n_classes) for i in range(SEED_SCENES)])
    # synthetic_image paints with class colours; classes beyond the fixture palette reuse its colours.
    palette = [dict(c) for c in FIXTURE_CLASSES]
    images = np.stack([synthetic_image(layouts[i] % len(palette), palette, 100 + i) for i in range(SEED_SCENES)])
    generator = torch.Generator().manual_seed(99)
    with torch.no_grad():
        models.image_vqgan.quantize.init_from_latents(models.image_vqgan.encode_latents(torch.from_numpy(images_to_tensor_range(images))), generator)
        onehot = labels_to_onehot(torch.from_numpy(layouts.astype(np.int64)), n_classes)
        models.seg_vqgan.quantize.init_from_latents(models.seg_vqgan.encode_latents(onehot), generator)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--shape", choices=["config", "sflckr"], default="config")
    parser.add_argument("--config", default="landscapes-v1", help="run config for --shape config")
    parser.add_argument("--torch-weights", action="store_true", help="also write torch-weights.pt for --shape sflckr (about 1.3 GB)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(99)
    torch.set_num_threads(args.threads)
    if args.shape == "sflckr":
        models, defaults = sflckr_models()
        name, torch_weights = "sflckr", args.torch_weights
    else:
        models, defaults = config_models(args.config)
        name, torch_weights = args.config, True
    # Latents must be at least a few tokens wide: 64 px for f8, 128 px for f16.
    init_codebooks(models, 8 * models.image_vqgan.config.grid_factor)
    models = BundleModels(models.image_vqgan.eval(), models.seg_vqgan.eval(), models.gpt.eval(), models.window, models.classes)
    identity = {
        "id": f"bench-random-{name}",
        "name": f"Random weights with the {name} architecture (benchmarks only)",
        "version": "0.0.0",
        "license": "MIT",
        "source": {"kind": "fixture", "notes": f"bench/make_random_bundle.py --shape {args.shape}; random weights"},
    }
    write_bundle(args.out, models, identity, defaults, torch_weights=torch_weights)
    print(f"wrote {args.out} (defaults {defaults})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
