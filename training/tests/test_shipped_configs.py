"""Every config in training/configs parses into the dataclasses its stages build, so a typo shows
here, not minutes into a run (or into a lent GPU's few minutes)."""
from __future__ import annotations

from pathlib import Path

import pytest

from training.finetune_decoder import DecoderTrainConfig
from training.losses import VQGANLossConfig
from training.run_config import GPTTrainConfig, VQGANTrainConfig, dataclass_from, load_run_config
from training.vqgan import VQGANConfig

CONFIGS = sorted((Path(__file__).parents[1] / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_config_sections_build(path: Path) -> None:
    config = load_run_config(str(path))
    sections = [k for k in config if k != "name"]
    assert sections, f"{path.name} has no stage section"
    for stage in ("image_vqgan", "seg_vqgan"):
        if stage in config:
            VQGANConfig.from_dict(config[stage]["model"])
            dataclass_from(VQGANTrainConfig, config[stage].get("train"), f"{stage}.train")
            dataclass_from(VQGANLossConfig, config[stage].get("loss"), f"{stage}.loss")
    for stage in ("image_decoder", "seg_decoder"):
        if stage in config:
            dataclass_from(DecoderTrainConfig, config[stage].get("train"), f"{stage}.train")
            dataclass_from(VQGANLossConfig, config[stage].get("loss"), f"{stage}.loss")
    if "gpt" in config:
        dataclass_from(GPTTrainConfig, config["gpt"].get("train"), "gpt.train")
        assert {"rows", "cols"} <= set(config["gpt"]["window"])


def test_a_misspelt_key_is_named() -> None:
    with pytest.raises(ValueError, match="image_decoder.loss: unknown keys l2_wieght"):
        dataclass_from(VQGANLossConfig, {"l2_wieght": 1.0}, "image_decoder.loss")
