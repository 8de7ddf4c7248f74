"""Vector quantiser (taming's VectorQuantizer2 semantics) with the beta weighting fixed by default.

Distances and the argmin always run in float32 with autocast off: in bf16, nearby codes tie and the
chosen token would depend on the precision rather than on the model.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class QuantizerOutput:
    z_q: torch.Tensor  # (B, C, H, W), straight-through: gradients flow to the encoder
    loss: torch.Tensor  # scalar codebook + commitment loss
    indices: torch.Tensor  # (B, H, W) int64
    perplexity: torch.Tensor  # exp(entropy of code usage in this batch)


class VectorQuantizer(nn.Module):
    def __init__(self, n_embed: int, embed_dim: int, beta: float = 0.25, legacy_beta: bool = False) -> None:
        super().__init__()
        self.n_embed = n_embed
        self.embed_dim = embed_dim
        self.beta = beta
        # legacy_beta reproduces taming's VQModel (legacy=True): beta on the codebook term instead of
        # the commitment term (issues #46/#57). Off by default: beta belongs on the commitment term.
        self.legacy_beta = legacy_beta
        self.embedding = nn.Embedding(n_embed, embed_dim)
        self.embedding.weight.data.uniform_(-1.0 / n_embed, 1.0 / n_embed)

    def nearest_codes(self, z_flat: torch.Tensor) -> torch.Tensor:
        """Index of the nearest code for each row of z_flat (N, C), by ||z||² + ||e||² − 2 z·e."""
        with torch.autocast("cpu", enabled=False):
            z_flat = z_flat.float()
            codebook = self.embedding.weight.float()
            distances = (
                (z_flat**2).sum(dim=1, keepdim=True)
                + (codebook**2).sum(dim=1).unsqueeze(0)
                - 2.0 * torch.matmul(z_flat, codebook.t())
            )
            return torch.argmin(distances, dim=1)

    def forward(self, z: torch.Tensor) -> QuantizerOutput:
        b, c, h, w = z.shape
        z = z.float()
        z_channels_last = z.permute(0, 2, 3, 1).contiguous()
        indices = self.nearest_codes(z_channels_last.reshape(-1, c))
        z_q = self.embedding(indices).reshape(b, h, w, c)
        codebook_term = torch.mean((z_q - z_channels_last.detach()) ** 2)
        commitment_term = torch.mean((z_q.detach() - z_channels_last) ** 2)
        if self.legacy_beta:
            loss = commitment_term + self.beta * codebook_term
        else:
            loss = codebook_term + self.beta * commitment_term
        z_q = z_channels_last + (z_q - z_channels_last).detach()  # straight-through estimator
        counts = torch.bincount(indices, minlength=self.n_embed).float()
        probs = counts / counts.sum()
        perplexity = torch.exp(-(probs * torch.log(probs + 1e-10)).sum())
        return QuantizerOutput(z_q.permute(0, 3, 1, 2).contiguous(), loss, indices.reshape(b, h, w), perplexity)

    def lookup(self, indices: torch.Tensor) -> torch.Tensor:
        """Codes for a (B, H, W) index grid, channels-first (B, C, H, W): how tokens are decoded."""
        return self.embedding(indices).permute(0, 3, 1, 2)

    @torch.no_grad()
    def init_from_latents(self, z: torch.Tensor, generator: torch.Generator | None = None) -> None:
        """Sets the codebook to randomly chosen encoder outputs (B, C, H, W).

        Starting from data rather than a tiny uniform box means every code is near some latent, so
        fewer codes start dead; the fixture also uses it to get varied, well-separated tokens.
        """
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1]).float()
        pick = torch.randperm(flat.shape[0], generator=generator)[: self.n_embed]
        if pick.numel() < self.n_embed:
            extra = torch.randint(0, flat.shape[0], (self.n_embed - pick.numel(),), generator=generator)
            pick = torch.cat([pick, extra])
        codes = flat[pick]
        # Duplicates (from repeated latents) would be dead forever; nudge them apart.
        codes = codes + 1e-3 * codes.abs().mean() * torch.randn(codes.shape, generator=generator).to(codes.device)
        self.embedding.weight.copy_(codes)
