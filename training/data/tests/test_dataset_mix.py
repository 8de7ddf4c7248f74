"""Datasets mixing procedural and painted-style scenes (generate --painted-share, mix.py)."""

import json

import numpy as np
import pytest

from training.data import generate
from training.data.dataset_files import load_dataset
from training.data.mix import iter_mixed, painted_flags
from training.data.painted import PAINTED_VERSION, painted_scene
from training.data.render import render_scene
from training.data.seeds import PAINTED_HELDOUT_SEED_START


@pytest.mark.parametrize("share", [0.0, 0.1, 0.25, 0.29, 0.3, 0.5, 0.7, 1.0])
def test_the_share_is_exact_and_evenly_spread(share):
    flags = painted_flags(range(100), share)
    assert sum(flags) == int(round(share * 100))  # 0.29 * 100 must not round down to 28
    # Any window of consecutive seeds holds floor or ceil of its share: no clumps.
    for start in range(0, 90, 7):
        window = sum(flags[start : start + 10])
        assert int(np.floor(share * 10)) <= window <= int(np.ceil(share * 10))


def test_which_scenes_are_painted_depends_on_the_seed_alone():
    whole = painted_flags(range(0, 60), 0.3)
    assert painted_flags(range(20, 60), 0.3) == whole[20:]  # a run split in two paints the same scenes


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan"), "0.3", True])
def test_bad_shares_are_refused(share):
    with pytest.raises(ValueError, match="painted share must be a number from 0 to 1"):
        painted_flags(range(3), share)


def test_mixed_scenes_are_the_generators_scenes():
    seeds = [4, 5, 6]
    scenes = list(iter_mixed(seeds, 48, 32, [True, False, True], workers=2, chunksize=1))
    for (image, labels), seed, painted in zip(scenes, seeds, [True, False, True]):
        want_image, want_labels = painted_scene(seed, 48, 32) if painted else render_scene(seed, 48, 32)
        assert np.array_equal(image, want_image) and np.array_equal(labels, want_labels)
    with pytest.raises(ValueError, match="2 flags for 3 seeds"):
        list(iter_mixed(seeds, 48, 32, [True, False]))


def test_generate_writes_a_mixed_dataset(tmp_path):
    out = tmp_path / "ds"
    assert generate.main(["--quiet", "--out", str(out), "--count", "10", "--size", "64x48", "--workers", "1", "--painted-share", "0.3"]) == 0
    images, labels, meta = load_dataset(out)
    assert meta["painted_share"] == 0.3 and meta["painted_version"] == PAINTED_VERSION
    assert meta["painted_scenes"] == [3, 6, 9]
    for i, seed in enumerate(meta["seeds"]):
        want = painted_scene(seed, 64, 48) if i in meta["painted_scenes"] else render_scene(seed, 64, 48)
        assert np.array_equal(images[i], want[0]) and np.array_equal(labels[i], want[1])
    # Without a share the dataset and its meta.json are what they always were.
    plain = tmp_path / "plain"
    assert generate.main(["--quiet", "--out", str(plain), "--count", "2", "--size", "64x48", "--workers", "1"]) == 0
    assert not any(key.startswith("painted_") for key in json.loads((plain / "meta.json").read_text()))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--painted-share", "1.5"], "--painted-share must be a share from 0 to 1"),
        (["--painted-share", "-0.2"], "--painted-share must be a share from 0 to 1"),
        (["--painted-share", "nan"], "--painted-share must be a share from 0 to 1"),
        (["--painted-share", "0.3", "--seed-start", str(PAINTED_HELDOUT_SEED_START - 2)], "overlap the painted held-out range"),
    ],
)
def test_generate_refuses_bad_mixes(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit):
        generate.main(["--quiet", "--out", str(tmp_path / "ds"), "--count", "4", *args])
    assert message in capsys.readouterr().err
