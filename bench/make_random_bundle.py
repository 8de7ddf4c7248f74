"""A random-weight bundle with the architecture of a run config (default: the proposed default
model, landscapes-v1), for benchmarking before the trained model exists. It produces noise, but
its graphs have the real sizes, so sampler and decoder timings are representative.

    /usr/bin/python3 bench/make_random_bundle.py --out /tmp/tessera-bench-landscapes [--config landscapes-v1]
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
from training.datasets import images_to_tensor_range  # noqa: E402
from training.gpt import GPT, GPTConfig  # noqa: E402
from training.gpt_training import gpt_config_for  # noqa: E402
from training.run_config import load_run_config, stage_section  # noqa: E402
from training.synthetic_scenes import FIXTURE_CLASSES, synthetic_image, synthetic_layout  # noqa: E402
from training.vqgan import SegmentationVQModel, VQModel, labels_to_onehot  # noqa: E402
from training.vqgan_training import model_config_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--config", default="landscapes-v1")
    args = parser.parse_args()
    torch.manual_seed(99)
    torch.set_num_threads(2)
    config = load_run_config(args.config)
    classes = [dict(c) for c in FIXTURE_CLASSES]
    image = VQModel(model_config_for(stage_section(config, "image_vqgan"), "image_vqgan", None))
    seg = SegmentationVQModel(model_config_for(stage_section(config, "seg_vqgan"), "seg_vqgan", len(classes)))
    gpt_config, window = gpt_config_for(stage_section(config, "gpt"), image.config.n_embed, seg.config.n_embed)
    gpt = GPT(GPTConfig.from_dict({**gpt_config.to_dict(), "init_std": 0.3}))
    layouts = np.stack([synthetic_layout(100 + i, 64, 64, len(classes)) for i in range(4)])
    images = np.stack([synthetic_image(layouts[i], classes, 100 + i) for i in range(4)])
    generator = torch.Generator().manual_seed(99)
    with torch.no_grad():
        image.quantize.init_from_latents(image.encode_latents(torch.from_numpy(images_to_tensor_range(images))), generator)
        seg.quantize.init_from_latents(seg.encode_latents(labels_to_onehot(torch.from_numpy(layouts.astype(np.int64)), len(classes))), generator)
    models = BundleModels(image.eval(), seg.eval(), gpt.eval(), window, classes)
    identity = {
        "id": f"bench-random-{args.config}",
        "name": f"Random weights with the {args.config} architecture (benchmarks only)",
        "version": "0.0.0",
        "license": "MIT",
        "source": {"kind": "fixture", "notes": "bench/make_random_bundle.py; random weights"},
    }
    write_bundle(args.out, models, identity, {"temperature": 1.0, "topK": 100, "topP": 1.0, "sampler": "cached", "stride": window[1]})
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
