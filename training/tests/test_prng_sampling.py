"""The PRNG and the draw arithmetic replay the TypeScript vectors bit-exactly (docs/SAMPLING.md)."""
from __future__ import annotations

import json

import pytest

from training.prng import Xoshiro128
from training.sampling import SamplingSettings, argmax, draw_token

from .conftest import REPO_ROOT

VECTORS = json.loads((REPO_ROOT / "shared" / "testdata" / "sampling-vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["prng"], ids=lambda c: f"seed{c['seed']}")
def test_prng_matches_typescript(case: dict) -> None:
    rng = Xoshiro128(case["seed"])
    assert [rng.next_uint32() for _ in range(len(case["uint32"]))] == case["uint32"]
    assert [rng.next_double() for _ in range(len(case["doubles"]))] == case["doubles"]


@pytest.mark.parametrize("case", VECTORS["draws"], ids=lambda c: f"seed{c['seed']}")
def test_draws_match_typescript(case: dict) -> None:
    s = case["settings"]
    settings = SamplingSettings(temperature=s["temperature"], top_k=s["topK"], top_p=s["topP"])
    rng = Xoshiro128(case["seed"])
    tokens = [draw_token(case["logits"], settings, rng).token for _ in range(len(case["tokens"]))]
    assert tokens == case["tokens"]


def test_seed_range_is_enforced() -> None:
    for bad in (-1, 2**32, 1.5):
        with pytest.raises(ValueError, match="seed must be an integer"):
            Xoshiro128(bad)  # type: ignore[arg-type]


def test_greedy_breaks_ties_by_lowest_index_and_draws_nothing() -> None:
    assert argmax([1.0, 3.0, 3.0, 2.0]) == 1
    rng = Xoshiro128(5)
    draw = draw_token([0.5, 2.0, 2.0], SamplingSettings(temperature=0), rng)
    assert draw.token == 1 and draw.entropy == 0.0
    assert rng.next_uint32() == Xoshiro128(5).next_uint32()  # the generator was not advanced


def test_top_k_keeps_only_the_k_best() -> None:
    rng = Xoshiro128(9)
    logits = [0.0, 5.0, 4.0, -1.0, 4.5]
    seen = {draw_token(logits, SamplingSettings(temperature=1.0, top_k=2), rng).token for _ in range(200)}
    assert seen == {1, 4}


def test_nan_logits_are_rejected() -> None:
    with pytest.raises(ValueError, match="NaN"):
        draw_token([0.0, float("nan")], SamplingSettings(), Xoshiro128(0))
