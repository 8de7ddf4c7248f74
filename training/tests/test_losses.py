"""VQGAN losses: the adaptive GAN weight, the discriminator start, LPIPS loading, segmentation loss."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from training.discriminator import NLayerDiscriminator
from training.losses import VQGANLoss, VQGANLossConfig, adaptive_gan_weight, adopt_weight, hinge_d_loss, segmentation_loss
from training.lpips import LPIPS, load_lpips
from training.vqgan import VQModel

from .conftest import tiny_vqgan_config


def test_adaptive_weight_is_the_grad_norm_ratio_at_the_last_layer() -> None:
    torch.manual_seed(0)
    w = torch.randn(3, 3, requires_grad=True)
    x = torch.randn(5, 3)
    nll = (x @ w).abs().mean()
    g = -(x @ w).mean() * 0.01
    got = adaptive_gan_weight(nll, g, w, disc_weight=0.8)
    gn = torch.autograd.grad(nll, w, retain_graph=True)[0].norm()
    gg = torch.autograd.grad(g, w, retain_graph=True)[0].norm()
    assert float(got) == pytest.approx(float(gn / (gg + 1e-4) * 0.8), rel=1e-5)
    assert not got.requires_grad


def test_adaptive_weight_is_clamped() -> None:
    w = torch.ones(2, requires_grad=True)
    nll = (w * 1e6).sum()
    g = (w * 0.0).sum()  # zero gradient: ratio 1e10 before the clamp
    assert float(adaptive_gan_weight(nll, g, w, 1.0)) == pytest.approx(1e4)


def test_discriminator_waits_for_its_start_step() -> None:
    assert adopt_weight(1.0, 9, 10) == 0.0 and adopt_weight(1.0, 10, 10) == 1.0
    torch.manual_seed(0)
    model = VQModel(tiny_vqgan_config())
    loss = VQGANLoss(VQGANLossConfig(disc_start=5, disc_num_layers=2, disc_ndf=8), 3)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    xrec, q = model(x)
    _, before = loss.generator_loss(x, xrec, q.loss, 4, model.last_layer)
    assert before["disc_factor"] == 0.0 and before["d_weight"] == 0.0 and before["g_loss"] == 0.0
    _, after = loss.generator_loss(x, xrec, q.loss, 5, model.last_layer)
    assert after["disc_factor"] == 1.0 and after["d_weight"] > 0.0
    d_loss, _ = loss.discriminator_loss(x, xrec, 4)
    assert float(d_loss) == 0.0
    assert loss.perceptual_kind == "disc-feature-matching"


def test_hinge_loss_values() -> None:
    assert float(hinge_d_loss(torch.full((4,), 2.0), torch.full((4,), -2.0))) == 0.0
    assert float(hinge_d_loss(torch.zeros(4), torch.zeros(4))) == pytest.approx(1.0)


def test_patchgan_layout_matches_taming_indices() -> None:
    d = NLayerDiscriminator(3, 64, 3)
    keys = {k.split(".")[1] for k in d.state_dict()}
    assert keys == {"0", "2", "3", "5", "6", "8", "9", "11"}
    assert d(torch.zeros(1, 3, 256, 256)).shape == (1, 1, 30, 30)


def test_lpips_loads_from_a_local_state_dict(tmp_path: Path) -> None:
    torch.manual_seed(0)
    source = LPIPS()
    for p in source.parameters():
        p.data.uniform_(0, 0.1)
    path = tmp_path / "lpips.pt"
    # As stored in a taming checkpoint: under loss.perceptual_loss.
    torch.save({f"loss.perceptual_loss.{k}": v for k, v in source.state_dict().items()}, path)
    lpips = load_lpips(path)
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    assert float(lpips(x, x).sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(lpips(x, -x).sum()) > 0
    loss = VQGANLoss(VQGANLossConfig(disc_num_layers=2, disc_ndf=8), 3, lpips)
    assert loss.perceptual_kind == "lpips"


def test_lpips_missing_or_wrong_weights_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="--lpips-weights"):
        load_lpips(tmp_path / "nope.pt")
    torch.save({"lin0.model.1.weight": torch.zeros(1, 64, 1, 1)}, tmp_path / "partial.pt")
    with pytest.raises(ValueError, match="lacks"):
        load_lpips(tmp_path / "partial.pt")
    (tmp_path / "garbage.pt").write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match="not a readable torch state dict"):
        load_lpips(tmp_path / "garbage.pt")


@pytest.mark.parametrize("kind", ["ce", "bce"])
def test_segmentation_loss(kind: str) -> None:
    labels = torch.tensor([[[0, 1], [2, 1]]])
    perfect = torch.nn.functional.one_hot(labels, 3).permute(0, 3, 1, 2).float() * 20 - 10
    total, log = segmentation_loss(perfect, labels, torch.tensor(0.5), kind)
    assert log["pixel_accuracy"] == 1.0 and log["rec_loss"] < 1e-3
    assert float(total) == pytest.approx(log["rec_loss"] + 0.5, rel=1e-4)
    with pytest.raises(ValueError):
        segmentation_loss(perfect, labels, torch.tensor(0.0), "mse")


def test_l2_term_adds_the_mean_squared_error() -> None:
    """l2_weight 0 is taming's L1; with a weight the reconstruction term is L1 + w·MSE."""
    x = torch.zeros(1, 3, 8, 8)
    xrec = torch.full((1, 3, 8, 8), 0.5)
    plain = VQGANLoss(VQGANLossConfig(perceptual_weight=0.0, disc_num_layers=2, disc_ndf=8), 3)
    with_l2 = VQGANLoss(VQGANLossConfig(perceptual_weight=0.0, l2_weight=2.0, disc_num_layers=2, disc_ndf=8), 3)
    last = torch.zeros(1, requires_grad=True)
    _, a = plain.generator_loss(x, xrec, torch.zeros(()), 0, last)
    _, b = with_l2.generator_loss(x, xrec, torch.zeros(()), 0, last)
    assert a["rec_loss"] == pytest.approx(0.5) and b["rec_loss"] == pytest.approx(0.5 + 2.0 * 0.25)
