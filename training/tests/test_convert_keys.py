"""Taming's key names and shapes: the test checkpoint generator against the reference listing, our
modules against the generator, and the S-FLCKR shapes read from its project config."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from training.checkpoint_unpickler import load_checkpoint
from training.convert_taming import ConversionError, shapes_from_config, shapes_from_state_dict, window_for
from training.gpt import GPT
from training.vqgan import SegmentationVQModel, VQModel

from .convert_fixtures.fake_taming_checkpoint import (
    SMALL,
    DDConfig,
    FakeTamingConfig,
    gpt_key_shapes,
    project_yaml,
    vqgan_key_shapes,
    write_fake_checkpoint,
)

# Copy of the shared reference listing (taming-vqgan-keys.txt): every tensor of the released f16 VQGAN.
REFERENCE_KEYS = Path(__file__).resolve().parent / "convert_fixtures" / "taming-vqgan-f16-keys.txt"
SFLCKR = FakeTamingConfig()  # the defaults are the official S-FLCKR shapes


def test_generator_reproduces_the_reference_f16_listing() -> None:
    reference = {}
    for line in REFERENCE_KEYS.read_text().splitlines():
        match = re.fullmatch(r"(\S+) \(([\d, ]*)\)", line.strip())
        assert match, line
        reference[match.group(1)] = tuple(int(v) for v in match.group(2).split(",") if v.strip())
    assert dict(vqgan_key_shapes(DDConfig(), 256, 1024)) == reference  # 343 tensors of vqgan_imagenet_f16_1024


def test_our_modules_have_taming_names_and_shapes() -> None:
    shapes = shapes_from_config(project_yaml(SMALL), "test")
    ours = {k: tuple(v.shape) for k, v in VQModel(shapes.image).state_dict().items()}
    assert ours == dict(vqgan_key_shapes(SMALL.first_stage, SMALL.first_embed_dim, SMALL.first_n_embed))
    ours = {k: tuple(v.shape) for k, v in SegmentationVQModel(shapes.cond).state_dict().items()}
    assert ours == dict(vqgan_key_shapes(SMALL.cond_stage, SMALL.cond_embed_dim, SMALL.cond_n_embed))
    ours = {k: tuple(v.shape) for k, v in GPT(shapes.gpt).state_dict().items()}
    assert ours == dict(gpt_key_shapes(SMALL.vocab_size, SMALL.block_size, SMALL.n_layer, SMALL.n_embd))


def test_sflckr_project_config_gives_the_paper_shapes() -> None:
    shapes = shapes_from_config(project_yaml(SFLCKR), "from project.yaml")
    assert (shapes.gpt.n_layer, shapes.gpt.n_head, shapes.gpt.n_embd, shapes.gpt.block_size, shapes.gpt.vocab_size) == (24, 16, 1024, 512, 1024)
    assert shapes.image.grid_factor == 16 and shapes.cond.grid_factor == 16
    assert (shapes.image.n_embed, shapes.cond.n_embed) == (1024, 1024)
    assert (shapes.cond.in_channels, shapes.cond.out_channels, shapes.image.in_channels) == (182, 182, 3)
    assert shapes.image.legacy_beta and shapes.cond.legacy_beta  # recorded: taming's VQModel always used legacy=True
    assert window_for(shapes.gpt, None) == (16, 16)


def test_shapes_inferred_from_the_state_dict_match_the_config(tmp_path: Path) -> None:
    checkpoint = load_checkpoint(write_fake_checkpoint(tmp_path / "last.ckpt"))
    state = checkpoint.root["state_dict"]
    with pytest.raises(ConversionError, match="--n-head"):
        shapes_from_state_dict(state, None)
    inferred = shapes_from_state_dict(state, SMALL.n_head)
    configured = shapes_from_config(project_yaml(SMALL), "test")
    assert (inferred.image, inferred.cond, inferred.gpt) == (configured.image, configured.cond, configured.gpt)
    assert "inferred" in inferred.source
    checkpoint.close()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["model"]["params"].update(cond_stage_config="__is_unconditional__"), "segmentation VQGAN"),
        (lambda c: c["model"]["params"].update(permuter_config={"target": "taming.modules.transformer.permuter.ZCurve"}), "permuter"),
        (lambda c: c["model"]["params"]["first_stage_config"].update(target="taming.models.vqgan.GumbelVQ"), "GumbelVQ"),
        (lambda c: c["model"]["params"]["transformer_config"]["params"].update(n_unmasked=8), "n_unmasked"),
        (lambda c: c["model"]["params"]["transformer_config"]["params"].pop("n_head"), "n_head"),
        (lambda c: c["model"].update(target="taming.models.vqgan.VQModel"), "Net2NetTransformer"),
    ],
    ids=["unconditional", "permuter", "gumbel", "n_unmasked", "no-heads", "not-a-transformer"],
)
def test_unsupported_configs_are_refused_clearly(edit, message: str) -> None:
    config = project_yaml(SMALL)
    edit(config)
    with pytest.raises(ConversionError, match=message):
        shapes_from_config(config, "test")
