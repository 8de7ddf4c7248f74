"""The VQGAN matches taming's parameter names, shapes and sizes, and runs on any size divisible by f."""
from __future__ import annotations

import pytest
import torch

from training.autoencoder import GroupNorm32
from training.vqgan import SegmentationVQModel, VQGANConfig, VQModel, check_label_range, labels_to_onehot

from .conftest import tiny_vqgan_config

KEYS_FILE = "/work/shared/reference/taming-vqgan-keys.txt"


def _reference_keys() -> dict[str, tuple[int, ...]]:
    from pathlib import Path

    path = Path(KEYS_FILE)
    if not path.is_file():
        pytest.skip(f"{KEYS_FILE} not available")
    out = {}
    for line in path.read_text().splitlines():
        if line.strip():
            key, shape = line.split(" ", 1)
            out[key] = tuple(int(v) for v in shape.strip("()").split(",") if v.strip())
    return out


@pytest.fixture()
def skip_weight_init(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building 72M parameters is slow mostly because of random initialisation; shapes don't need it."""
    for cls in (torch.nn.Conv2d, torch.nn.GroupNorm, torch.nn.Embedding):
        monkeypatch.setattr(cls, "reset_parameters", lambda self: None)
    monkeypatch.setattr("training.vector_quantizer.nn.Embedding.reset_parameters", lambda self: None)


def test_paper_f16_state_dict_matches_taming_keys_shapes_and_size(skip_weight_init: None) -> None:
    model = VQModel(VQGANConfig.paper_f16())
    mine = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    reference = _reference_keys()
    assert set(mine) == set(reference)
    assert {k: s for k, s in mine.items() if reference[k] != s} == {}
    params = sum(p.numel() for p in model.parameters())
    assert round(params / 1e6, 2) == 72.14
    assert round(sum(p.numel() for p in model.encoder.parameters()) / 1e6, 2) == 29.30
    assert round(sum(p.numel() for p in model.decoder.parameters()) / 1e6, 2) == 42.45
    # strict=True loading succeeds exactly when the key sets and shapes match, as checked above;
    # (copying 290 MB to demonstrate it costs seconds on a busy machine, so it is not done here).
    assert model.config.legacy_beta is True  # taming's VQModel always trains with legacy=True


def test_segmentation_f16_has_182_channels_and_paper_size(skip_weight_init: None) -> None:
    model = SegmentationVQModel(VQGANConfig.paper_f16(channels=182))
    assert round(sum(p.numel() for p in model.parameters()) / 1e6, 2) == 72.55
    assert tuple(model.encoder.conv_in.weight.shape) == (128, 182, 3, 3)
    assert tuple(model.decoder.conv_out.weight.shape) == (182, 128, 3, 3)


@pytest.mark.parametrize("height,width", [(32, 32), (40, 56)])
def test_f8_round_trip_shapes(height: int, width: int) -> None:
    model = VQModel(tiny_vqgan_config()).eval()
    assert model.config.grid_factor == 8
    x = torch.rand(2, 3, height, width) * 2 - 1
    with torch.no_grad():
        out, q = model(x)
    assert out.shape == x.shape
    assert q.indices.shape == (2, height // 8, width // 8) and q.indices.dtype == torch.int64


def test_attention_placement_follows_nominal_resolution() -> None:
    cfg = tiny_vqgan_config(attn_resolutions=(8,), resolution=32)  # levels at 32, 16, 8, 4
    model = VQModel(cfg)
    assert [len(level.attn) for level in model.encoder.down] == [0, 0, 1, 0]
    assert [len(level.attn) for level in model.decoder.up] == [0, 0, 2, 0]


def test_groupnorm_runs_under_bf16_autocast() -> None:
    model = VQModel(tiny_vqgan_config())
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out, q = model(torch.zeros(1, 3, 32, 32))
    assert out.dtype == torch.bfloat16
    assert q.z_q.dtype == torch.float32  # the quantiser stays in fp32
    assert isinstance(model.encoder.norm_out, GroupNorm32)


def test_groups_must_divide_channels() -> None:
    with pytest.raises(ValueError, match="divisible by groups"):
        VQModel(tiny_vqgan_config(norm_groups=3))


def test_config_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown VQGAN config keys: chanels"):
        VQGANConfig.from_dict({"chanels": 3})


def test_onehot_and_label_range() -> None:
    labels = torch.tensor([[[0, 2], [1, 2]]])
    onehot = labels_to_onehot(labels, 3)
    assert onehot.shape == (1, 3, 2, 2) and torch.equal(onehot.argmax(1), labels)
    with pytest.raises(ValueError, match="contains class 7, but the model has 3 classes"):
        check_label_range(torch.tensor([[0, 7]]), 3)
