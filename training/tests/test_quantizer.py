"""The vector quantiser: beta placement, straight-through gradients, usage statistics."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from training.codebook_usage import codebook_usage
from training.vector_quantizer import VectorQuantizer


def _terms(q: VectorQuantizer, z: torch.Tensor) -> tuple[float, float]:
    out = q(z)
    zq = q.embedding(out.indices).permute(0, 3, 1, 2)
    mse = float(torch.mean((zq - z) ** 2))
    return float(out.loss), mse


def test_beta_weights_commitment_by_default_and_codebook_when_legacy() -> None:
    torch.manual_seed(0)
    z = torch.randn(2, 4, 3, 3, requires_grad=True)
    correct = VectorQuantizer(8, 4, beta=0.25)
    legacy = VectorQuantizer(8, 4, beta=0.25, legacy_beta=True)
    legacy.load_state_dict(correct.state_dict())
    loss_c, mse = _terms(correct, z)
    loss_l, _ = _terms(legacy, z)
    assert loss_c == pytest.approx(1.25 * mse, rel=1e-5) and loss_l == pytest.approx(1.25 * mse, rel=1e-5)
    # Same value, different gradients: the codebook gets weight 1 (correct) vs beta (legacy).
    correct(z).loss.backward()
    g_correct = correct.embedding.weight.grad.clone()
    legacy(z).loss.backward()
    g_legacy = legacy.embedding.weight.grad.clone()
    assert torch.allclose(g_legacy, 0.25 * g_correct, atol=1e-7)


def test_commitment_gradient_reaches_the_encoder_with_beta() -> None:
    torch.manual_seed(1)
    q = VectorQuantizer(8, 4, beta=0.25)
    z = torch.randn(1, 4, 2, 2, requires_grad=True)
    out = q(z)
    out.loss.backward()
    zq = q.embedding(out.indices).permute(0, 3, 1, 2).detach()
    expected = 0.25 * 2 * (z.detach() - zq) / z.numel()
    assert torch.allclose(z.grad, expected, atol=1e-6)


def test_straight_through_passes_gradients_unchanged() -> None:
    q = VectorQuantizer(8, 4)
    z = torch.randn(1, 4, 2, 2, requires_grad=True)
    q(z).z_q.sum().backward()
    assert torch.allclose(z.grad, torch.ones_like(z))


def test_nearest_code_is_the_true_argmin_and_fp32_under_autocast() -> None:
    torch.manual_seed(2)
    q = VectorQuantizer(16, 4)
    z = torch.randn(50, 4)
    brute = torch.cdist(z, q.embedding.weight).argmin(dim=1)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = q.nearest_codes(z.to(torch.bfloat16).float())
    assert torch.equal(got, q.nearest_codes(z)) and torch.equal(got, brute)


def test_perplexity_and_usage() -> None:
    usage = codebook_usage(np.array([0, 1, 2, 3] * 10), 8)
    assert usage["perplexity"] == pytest.approx(4.0) and usage["used_fraction"] == 0.5
    assert codebook_usage(np.array([5] * 7), 8)["perplexity"] == pytest.approx(1.0)


def test_init_from_latents_uses_data() -> None:
    q = VectorQuantizer(4, 3)
    z = torch.arange(24, dtype=torch.float32).reshape(1, 3, 2, 4)
    q.init_from_latents(z, torch.Generator().manual_seed(0))
    flat = z.permute(0, 2, 3, 1).reshape(-1, 3)
    assert torch.cdist(q.embedding.weight, flat).min(dim=1).values.max() < 0.1
