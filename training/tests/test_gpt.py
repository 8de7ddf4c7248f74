"""The latent GPT: taming names, KV cache equal to the full forward, training windows."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from training.gpt import GPT, GPTConfig
from training.token_dataset import TokenDataset, sample_windows, window_sequence_loss

TINY = GPTConfig(vocab_size=40, block_size=32, n_layer=2, n_head=2, n_embd=32)


def test_parameter_names_follow_taming() -> None:
    keys = set(GPT(TINY).state_dict())
    expected = {"tok_emb.weight", "pos_emb", "ln_f.weight", "ln_f.bias", "head.weight"}
    for i in range(2):
        p = f"blocks.{i}."
        expected |= {p + "attn.mask"} | {p + f"{n}.{w}" for n in ("ln1", "ln2", "attn.key", "attn.query", "attn.value", "attn.proj", "mlp.0", "mlp.2") for w in ("weight", "bias")}
    assert keys == expected
    assert tuple(GPT(TINY).pos_emb.shape) == (1, 32, 32)


def test_sflckr_size() -> None:
    cfg = GPTConfig(vocab_size=1024, block_size=512, n_layer=24, n_head=16, n_embd=1024)
    # Count analytically (building 305M params is slow): per layer 12·d² + 13·d, plus embeddings and head.
    d = cfg.n_embd
    params = cfg.n_layer * (12 * d * d + 13 * d) + 2 * cfg.vocab_size * d + cfg.block_size * d + 2 * d
    assert round(params / 1e6, 1) == 304.9
    small = GPT(TINY)
    d = TINY.n_embd
    assert sum(p.numel() for p in small.parameters()) == TINY.n_layer * (12 * d * d + 13 * d) + 2 * TINY.vocab_size * d + TINY.block_size * d + 2 * d


def test_cached_steps_equal_the_full_forward() -> None:
    torch.manual_seed(0)
    gpt = GPT(TINY).eval()
    ids = torch.randint(0, 40, (2, 25))
    with torch.no_grad():
        full, presents = gpt(ids)
        prefix, past = gpt(ids[:, :17])
        logits = [prefix]
        for t in range(17, 25):
            step, past = gpt(ids[:, t : t + 1], past)
            logits.append(step)
    assert torch.allclose(torch.cat(logits, dim=1), full, atol=1e-5)
    assert past[0][0].shape == (2, 2, 25, 16) and presents[1][1].shape == (2, 2, 25, 16)


def test_block_size_is_enforced() -> None:
    with pytest.raises(ValueError, match="exceed the block size"):
        GPT(TINY)(torch.zeros(1, 33, dtype=torch.int64))
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(n_embd=30, n_head=4)


def test_weight_decay_only_on_linear_weights() -> None:
    gpt = GPT(TINY)
    decay, no_decay = gpt.optimizer_groups(0.01)
    names = {id(p): n for n, p in gpt.named_parameters()}
    assert all(names[id(p)].endswith("weight") and "ln" not in names[id(p)] and "emb" not in names[id(p)] for p in decay["params"])
    assert any(names[id(p)] == "pos_emb" for p in no_decay["params"])


def test_windows_are_aligned_crops_and_loss_covers_image_tokens_only() -> None:
    image = np.arange(2 * 6 * 7).reshape(2, 6, 7) % 40
    cond = (image + 1) % 40
    tokens = TokenDataset(image.astype(np.int16), cond.astype(np.int16), {"image_vocab": 40, "cond_vocab": 40})
    c, i = sample_windows(tokens, np.arange(2), 5, 4, 4, np.random.default_rng(0))
    assert c.shape == (5, 16) and torch.equal(c, (i + 1) % 40)
    gpt = GPT(TINY)
    loss = window_sequence_loss(gpt, c, i)
    assert loss.ndim == 0 and float(loss) == pytest.approx(np.log(40), rel=0.05)
    with pytest.raises(ValueError, match="smaller than the 8x8 window"):
        sample_windows(tokens, np.arange(2), 1, 8, 8, np.random.default_rng(0))
