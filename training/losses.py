"""VQGAN training losses: L1 + perceptual + PatchGAN hinge with taming's adaptive weight, and the
segmentation VQGAN's cross-entropy (or BCE) + codebook loss.

Perceptual term: LPIPS when weights are given (--lpips-weights), otherwise discriminator feature
matching (L1 between the PatchGAN's activations for the real and reconstructed image), which needs
no download. Before the discriminator starts training its features are those of a fixed random
network (still a useful multi-scale texture signal); afterwards they follow the discriminator.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from .discriminator import NLayerDiscriminator
from .lpips import LPIPS


@dataclass(frozen=True)
class VQGANLossConfig:
    disc_start: int = 10000
    disc_weight: float = 0.8
    disc_factor: float = 1.0
    disc_num_layers: int = 3
    disc_ndf: int = 64
    codebook_weight: float = 1.0
    perceptual_weight: float = 1.0
    disc_loss: str = "hinge"  # or "vanilla"
    # An L2 term beside taming's L1 (0 = taming's loss). PSNR is an L2 measure; L1 alone trains towards
    # the median colour, which leaves the mean error of textured patches (grass, rock) higher.
    l2_weight: float = 0.0


def adopt_weight(weight: float, global_step: int, threshold: int) -> float:
    """0 before the discriminator start step, `weight` from it on."""
    return 0.0 if global_step < threshold else weight


def hinge_d_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * (torch.mean(F.relu(1.0 - logits_real)) + torch.mean(F.relu(1.0 + logits_fake)))


def vanilla_d_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * (torch.mean(F.softplus(-logits_real)) + torch.mean(F.softplus(logits_fake)))


def adaptive_gan_weight(nll_loss: torch.Tensor, g_loss: torch.Tensor, last_layer: torch.Tensor, disc_weight: float) -> torch.Tensor:
    """Taming's balance: ||∇_W nll|| / (||∇_W g|| + 1e-4) at the decoder's last layer, clamped to [0, 1e4], times disc_weight."""
    nll_grads = torch.autograd.grad(nll_loss, last_layer, retain_graph=True)[0]
    g_grads = torch.autograd.grad(g_loss, last_layer, retain_graph=True)[0]
    weight = torch.norm(nll_grads.float()) / (torch.norm(g_grads.float()) + 1e-4)
    return torch.clamp(weight, 0.0, 1e4).detach() * disc_weight


class VQGANLoss(nn.Module):
    def __init__(self, config: VQGANLossConfig, image_channels: int = 3, lpips: Optional[LPIPS] = None) -> None:
        super().__init__()
        self.config = config
        self.discriminator = NLayerDiscriminator(image_channels, config.disc_ndf, config.disc_num_layers)
        self.perceptual = lpips
        self.perceptual_kind = "lpips" if lpips is not None else "disc-feature-matching"
        if config.disc_loss not in ("hinge", "vanilla"):
            raise ValueError(f"disc_loss must be 'hinge' or 'vanilla' (got {config.disc_loss!r})")
        self._d_loss = hinge_d_loss if config.disc_loss == "hinge" else vanilla_d_loss

    def perceptual_loss(self, x: torch.Tensor, xrec: torch.Tensor) -> torch.Tensor:
        """Per-image perceptual distance (B,)."""
        if self.perceptual is not None:
            return self.perceptual(x, xrec).reshape(x.shape[0])
        with torch.no_grad():
            real = self.discriminator.features(x)
        fake = self.discriminator.features(xrec)
        return sum(torch.mean(torch.abs(r - f).float(), dim=(1, 2, 3)) for r, f in zip(real, fake)) / len(real)

    def generator_loss(
        self, x: torch.Tensor, xrec: torch.Tensor, codebook_loss: torch.Tensor, global_step: int, last_layer: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """The autoencoder's loss (optimizer_idx 0 in taming)."""
        cfg = self.config
        rec_loss = torch.abs(x.float() - xrec.float()).mean()
        if cfg.l2_weight > 0:
            rec_loss = rec_loss + cfg.l2_weight * torch.mean((x.float() - xrec.float()) ** 2)
        p_loss = self.perceptual_loss(x, xrec).mean() if cfg.perceptual_weight > 0 else torch.zeros((), device=x.device)
        nll_loss = rec_loss + cfg.perceptual_weight * p_loss
        disc_factor = adopt_weight(cfg.disc_factor, global_step, cfg.disc_start)
        if disc_factor > 0:
            g_loss = -torch.mean(self.discriminator(xrec).float())
            try:
                d_weight = adaptive_gan_weight(nll_loss, g_loss, last_layer, cfg.disc_weight)
            except RuntimeError:  # no graph (evaluation under no_grad): taming falls back to 0
                d_weight = torch.zeros(())
        else:
            g_loss = torch.zeros((), device=x.device)
            d_weight = torch.zeros(())
        total = nll_loss + d_weight * disc_factor * g_loss + cfg.codebook_weight * codebook_loss.mean()
        log = {
            "total_loss": float(total),
            "quant_loss": float(codebook_loss.mean()),
            "nll_loss": float(nll_loss),
            "rec_loss": float(rec_loss),
            "p_loss": float(p_loss),
            "d_weight": float(d_weight),
            "disc_factor": float(disc_factor),
            "g_loss": float(g_loss),
        }
        return total, log

    def discriminator_loss(self, x: torch.Tensor, xrec: torch.Tensor, global_step: int) -> tuple[torch.Tensor, dict[str, float]]:
        """The discriminator's loss (optimizer_idx 1); zero weight before disc_start."""
        logits_real = self.discriminator(x.detach()).float()
        logits_fake = self.discriminator(xrec.detach()).float()
        disc_factor = adopt_weight(self.config.disc_factor, global_step, self.config.disc_start)
        d_loss = disc_factor * self._d_loss(logits_real, logits_fake)
        return d_loss, {"disc_loss": float(d_loss), "logits_real": float(logits_real.mean()), "logits_fake": float(logits_fake.mean())}


def segmentation_loss(logits: torch.Tensor, labels: torch.Tensor, codebook_loss: torch.Tensor, kind: str = "ce", codebook_weight: float = 1.0) -> tuple[torch.Tensor, dict[str, float]]:
    """Cond-stage loss: cross-entropy over classes (or taming's BCE on the one-hot) + codebook loss."""
    logits = logits.float()
    if kind == "ce":
        rec = F.cross_entropy(logits, labels)
    elif kind == "bce":
        onehot = F.one_hot(labels, logits.shape[1]).permute(0, 3, 1, 2).float()
        rec = F.binary_cross_entropy_with_logits(logits, onehot)
    else:
        raise ValueError(f"segmentation loss must be 'ce' or 'bce' (got {kind!r})")
    total = rec + codebook_weight * codebook_loss.mean()
    with torch.no_grad():
        accuracy = (logits.argmax(dim=1) == labels).float().mean()
    return total, {"total_loss": float(total), "rec_loss": float(rec), "quant_loss": float(codebook_loss.mean()), "pixel_accuracy": float(accuracy)}
