"""The painted held-out set and the seed ranges that keep it out of training."""

import json

import numpy as np
import pytest
from PIL import Image

from training.data import painted_cli
from training.data.classes import CLASS_NAMES, CLASSES
from training.data.mix import iter_mixed
from training.data.painted import PAINTED_VERSION, painted_layout
from training.data.painted_heldout import (
    FIDELITY_SIZE,
    MANIFEST_PATH,
    check_manifest,
    fidelity_pool,
    labels_digest,
    member,
    members,
    square_seeds,
)
from training.data.render import render_from_layout
from training.data.seeds import (
    HELDOUT_SEED_START,
    PAINTED_HELDOUT_SEED_END,
    PAINTED_HELDOUT_SEED_START,
    TRAIN_SEED_END,
    TRAIN_SEED_START,
    check_painted_training_seeds,
    overlaps_painted_heldout,
)
from training.layouts import read_layout

START = PAINTED_HELDOUT_SEED_START


def test_the_seed_ranges_are_disjoint():
    train = range(TRAIN_SEED_START, TRAIN_SEED_END)
    painted = range(PAINTED_HELDOUT_SEED_START, PAINTED_HELDOUT_SEED_END)
    assert train.stop <= painted.start and painted.stop <= HELDOUT_SEED_START  # procedural held-out is HELDOUT_SEED_START..
    assert len(painted) >= 10_000  # room for far more than the 200 layouts of the set
    assert not overlaps_painted_heldout(TRAIN_SEED_START, len(train))
    assert not overlaps_painted_heldout(HELDOUT_SEED_START, 10**9)
    assert overlaps_painted_heldout(PAINTED_HELDOUT_SEED_END - 1, 1) and overlaps_painted_heldout(0, PAINTED_HELDOUT_SEED_START + 1)
    assert not overlaps_painted_heldout(0, PAINTED_HELDOUT_SEED_START) and not overlaps_painted_heldout(PAINTED_HELDOUT_SEED_END, 5)


def test_training_refuses_painted_held_out_seeds():
    check_painted_training_seeds(TRAIN_SEED_START, TRAIN_SEED_END)  # the whole training range is fine
    with pytest.raises(ValueError, match="overlap the painted held-out range"):
        check_painted_training_seeds(START - 10, 11)
    with pytest.raises(ValueError, match="overlap the painted held-out range"):
        list(iter_mixed([START + 3], 32, 32, [True]))
    # A procedural scene may use such a seed: only the painted generator's layouts are held out.
    assert len(list(iter_mixed([START + 3], 32, 32, [False]))) == 1


def test_members_mostly_at_the_fidelity_size_plus_wide_and_tall():
    items = members(START, 200)
    square = [m for m in items if (m.width, m.height) == (FIDELITY_SIZE, FIDELITY_SIZE)]
    assert len(square) == 150
    others = [m for m in items if m not in square]
    assert any(m.width > m.height for m in others) and any(m.width < m.height for m in others)
    for m in others:
        assert m.width % 16 == 0 and m.height % 16 == 0 and max(m.width, m.height) <= 512 and m.width != m.height
    # A member's size follows from its seed alone, whichever stretch of the range is asked for.
    assert members(START + 7, 3) == items[7:10] == [member(s) for s in range(START + 7, START + 10)]
    assert square_seeds(4) == [START, START + 1, START + 2, START + 4]


@pytest.mark.parametrize("seed, count", [(START - 1, 5), (PAINTED_HELDOUT_SEED_END - 2, 5), (0, 10), (START, 0)])
def test_held_out_seeds_outside_the_range_are_refused(seed, count):
    with pytest.raises(ValueError):
        members(seed, count)
    with pytest.raises(SystemExit):
        painted_cli.main(["--heldout", "/nonexistent/painted", "--seed", str(seed), "--count", str(count), "--quiet"])


def test_heldout_command_writes_pngs_index_and_manifest(tmp_path, capsys):
    out = tmp_path / "set"
    assert painted_cli.main(["--heldout", str(out), "--count", "5", "--quiet"]) == 0
    index = json.loads((out / "index.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    items = members(START, 5)
    assert manifest["labels_sha256"] == labels_digest(items) == index["labels_sha256"]
    assert (manifest["seed_start"], manifest["count"], manifest["painted_version"]) == (START, 5, PAINTED_VERSION)
    assert [e["seed"] for e in index["members"]] == [m.seed for m in items]
    for entry, m in zip(index["members"], items):
        assert (entry["width"], entry["height"]) == (m.width, m.height)
        # The label PNG is in the palette colours, exactly what the studio and the sampler read.
        labels = read_layout(out / entry["labels"], CLASSES)
        assert np.array_equal(labels, painted_layout(m.seed, m.width, m.height))
        assert entry["classes"] == [CLASS_NAMES[c] for c in np.unique(labels)]
        image = np.asarray(Image.open(out / entry["image"]).convert("RGB"))
        assert np.array_equal(image, render_from_layout(labels, m.seed))
    # A folder holding a set is not overwritten without --force.
    with pytest.raises(SystemExit):
        painted_cli.main(["--heldout", str(out), "--count", "5", "--quiet"])
    assert "not empty" in capsys.readouterr().err
    assert painted_cli.main(["--check", str(out / "manifest.json")]) == 0


def test_the_committed_manifest_regenerates_byte_for_byte():
    ok, message = check_manifest(MANIFEST_PATH)
    assert ok, message
    recorded = json.loads(MANIFEST_PATH.read_text())
    assert recorded["count"] >= 200 and recorded["seed_start"] == START


def test_check_reports_a_changed_set(tmp_path):
    tampered = json.loads(MANIFEST_PATH.read_text())
    tampered.update(count=3, labels_sha256="0" * 64)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(tampered))
    ok, message = check_manifest(path)
    assert not ok and "label maps differ" in message
    assert painted_cli.main(["--check", str(path)]) == 1


def test_fidelity_pool_is_the_sets_square_members():
    labels, renders, seeds = fidelity_pool(3, FIDELITY_SIZE)
    assert seeds == square_seeds(3)
    for i, seed in enumerate(seeds):
        assert np.array_equal(labels[i], painted_layout(seed, FIDELITY_SIZE, FIDELITY_SIZE))
    assert renders.shape == (3, FIDELITY_SIZE, FIDELITY_SIZE, 3)
    small, none, _ = fidelity_pool(2, 64, renders=False)
    assert small.shape == (2, 64, 64) and none is None
