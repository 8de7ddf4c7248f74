"""The whole toolkit on tiny configs through its command lines: train both VQGANs (with a resume),
encode tokens, train the GPT, export a bundle, sample it with the reference sampler."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from PIL import Image

from training import checkpoints_from_bundle, encode_tokens, export_bundle, reference_sampler, slim_checkpoint, time_budget, train_gpt, train_segvqgan, train_vqgan
from training.bundle_manifest import validate_manifest, verify_bundle_files
from training.checkpoints import CheckpointMismatch, load_checkpoint, save_checkpoint
from training.metrics_log import read_metrics
from training.run_config import load_run_config
from training.synthetic_scenes import synthetic_classes, synthetic_layout


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory, tiny_dataset: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    common = ["--tiny", "--data", str(tiny_dataset), "--no-progress", "--threads", "1"]
    assert train_vqgan.main([*common, "--out", str(root / "image")]) == 0
    assert train_vqgan.main([*common, "--out", str(root / "image"), "--resume", "--steps", "6"]) == 0
    assert train_segvqgan.main([*common, "--out", str(root / "seg")]) == 0
    assert encode_tokens.main(["--data", str(tiny_dataset), "--image-vqgan", str(root / "image/last.ckpt"), "--seg-vqgan", str(root / "seg/last.ckpt"), "--out", str(root / "tokens.npz"), "--no-progress", "--threads", "1"]) == 0
    assert train_gpt.main(["--tiny", "--tokens", str(root / "tokens.npz"), "--out", str(root / "gpt"), "--no-progress", "--threads", "1"]) == 0
    args = ["--image-vqgan", str(root / "image/last.ckpt"), "--seg-vqgan", str(root / "seg/last.ckpt"), "--gpt", str(root / "gpt/last.ckpt")]
    assert export_bundle.main([*args, "--out", str(root / "bundle"), "--id", "tiny-test", "--name", "Tiny test", "--int8", "--top-k", "8", "--threads", "1"]) == 0
    return {"root": root, "data": tiny_dataset}


def test_vqgan_run_logs_checkpoints_and_resumes(pipeline: dict[str, Path]) -> None:
    run = pipeline["root"] / "image"
    records = read_metrics(run / "metrics.jsonl")
    assert records[0]["event"] == "start" and records[0]["config"]["perceptual"] == "disc-feature-matching"
    assert any(r.get("event") == "resume" and r["step"] == 4 for r in records)
    steps = [r["step"] for r in records if "total_loss" in r]
    assert steps == [1, 2, 3, 4, 5, 6]
    assert any("eval_perplexity" in r and "eval_used_fraction" in r for r in records)
    payload = load_checkpoint(run / "last.ckpt", "image_vqgan")
    assert payload["step"] == 6 and [c["name"] for c in payload["classes"]] == [c["name"] for c in synthetic_classes(5)]
    assert not [p for p in run.iterdir() if p.name.endswith(".tmp")]


def test_seeded_runs_are_repeatable(pipeline: dict[str, Path], tmp_path: Path) -> None:
    assert train_segvqgan.main(["--tiny", "--data", str(pipeline["data"]), "--no-progress", "--threads", "1", "--out", str(tmp_path / "seg")]) == 0
    a = load_checkpoint(pipeline["root"] / "seg/last.ckpt")["model"]
    b = load_checkpoint(tmp_path / "seg/last.ckpt")["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_token_dataset_and_gpt_run(pipeline: dict[str, Path]) -> None:
    with np.load(pipeline["root"] / "tokens.npz") as data:
        assert data["image_tokens"].shape == (12, 6, 8) and data["cond_tokens"].shape == (12, 6, 8)
        meta = json.loads(str(data["meta"]))
    assert meta["image_vocab"] == 32 and meta["cond_vocab"] == 16 and meta["grid_factor"] == 8
    records = read_metrics(pipeline["root"] / "gpt/metrics.jsonl")
    assert [r["step"] for r in records if "loss" in r] == [1, 2, 3, 4, 5, 6]
    assert any("eval_loss" in r for r in records)


def test_exported_bundle_is_valid(pipeline: dict[str, Path]) -> None:
    bundle = pipeline["root"] / "bundle"
    manifest = json.loads((bundle / "manifest.json").read_text())
    validate_manifest(manifest)
    verify_bundle_files(bundle, manifest)
    assert manifest["source"]["kind"] == "trained" and "disc-feature-matching" in manifest["source"]["notes"]
    assert manifest["transformer"] == {"layers": 2, "heads": 2, "width": 32, "blockSize": 32, "vocabSize": 32}
    assert set(manifest["files"]) == {"condEncoder", "imageEncoder", "imageDecoder", "transformer", "transformerInt8"}
    assert not [p for p in bundle.parent.iterdir() if ".partial-" in p.name]


def test_reference_sampler_cli(pipeline: dict[str, Path], tmp_path: Path) -> None:
    classes = synthetic_classes(5)
    labels = synthetic_layout(9, 40, 48, 5)
    palette = np.array([[int(c["color"][i : i + 2], 16) for i in (1, 3, 5)] for c in classes], dtype=np.uint8)
    Image.fromarray(palette[labels]).save(tmp_path / "layout.png")  # RGB in class colours
    args = ["--bundle", str(pipeline["root"] / "bundle"), "--layout", str(tmp_path / "layout.png"), "--seed", "3", "--seed", "4", "--threads", "1"]
    assert reference_sampler.main([*args, "--out", str(tmp_path / "sample.png"), "--tokens-out", str(tmp_path / "tokens.json")]) == 0
    assert Image.open(tmp_path / "sample.png").size == (48, 40) and (tmp_path / "sample-1.png").is_file()
    tokens = json.loads((tmp_path / "tokens.json").read_text())
    assert np.array(tokens["tokens"]).shape == (2, 5, 6)
    # The grey label map of the same layout gives the same tokens.
    Image.fromarray(labels).save(tmp_path / "layout-grey.png")
    assert reference_sampler.main(["--bundle", str(pipeline["root"] / "bundle"), "--layout", str(tmp_path / "layout-grey.png"), "--seed", "3", "--seed", "4", "--threads", "1", "--tokens-out", str(tmp_path / "grey.json")]) == 0
    assert json.loads((tmp_path / "grey.json").read_text())["tokens"] == tokens["tokens"]


def test_weights_only_checkpoint_exports_but_does_not_resume(pipeline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = pipeline["root"]
    slim = tmp_path / "image-weights.ckpt"
    assert slim_checkpoint.main([str(root / "image/last.ckpt"), str(slim)]) == 0
    full, light = load_checkpoint(root / "image/last.ckpt"), load_checkpoint(slim, "image_vqgan")
    assert not {"opt_ae", "opt_d", "discriminator", "torch_rng"} & set(light) and light["weights_only"] is True
    assert all(torch.equal(full["model"][k], light["model"][k]) for k in full["model"])
    assert slim.stat().st_size < (root / "image/last.ckpt").stat().st_size / 2
    # It encodes tokens like the full checkpoint does ...
    args = ["--data", str(pipeline["data"]), "--seg-vqgan", str(root / "seg/last.ckpt"), "--no-progress", "--threads", "1"]
    assert encode_tokens.main([*args, "--image-vqgan", str(slim), "--out", str(tmp_path / "tokens.npz")]) == 0
    with np.load(tmp_path / "tokens.npz") as ours, np.load(root / "tokens.npz") as theirs:
        assert np.array_equal(ours["image_tokens"], theirs["image_tokens"])
    # ... but resuming from it is refused with the reason, as is overwriting the source.
    (tmp_path / "run").mkdir()
    with pytest.raises(CheckpointMismatch, match="holds weights only"):
        train_vqgan.main(["--tiny", "--data", str(pipeline["data"]), "--no-progress", "--out", str(tmp_path / "run"), "--resume", str(slim)])
    with pytest.raises(SystemExit):
        slim_checkpoint.main([str(slim), str(slim)])
    assert "another file than the source" in capsys.readouterr().err
    assert slim_checkpoint.main([str(tmp_path / "missing.ckpt"), str(tmp_path / "out.ckpt")]) == 2


class SteppingClock:
    """Stands in for the time module inside training.time_budget: 10 ms pass per reading, so the
    budget's decisions do not depend on how busy the machine is."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 0.01
        return self.now


def test_gpt_time_budget_fixes_the_step_count_early(pipeline: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time_budget, "time", SteppingClock())
    # The tiny config, but checkpointing and evaluating only at the end: those pauses are not in the
    # measured pace, and the tiny config's (every 3 steps) would trip the safety stop on a busy machine.
    config = load_run_config("tiny")
    config["gpt"]["train"].update(checkpoint_every=10**6, eval_every=10**6, log_every=10)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    out = tmp_path / "gpt"
    args = ["--config", str(tmp_path / "config.yaml"), "--tokens", str(pipeline["root"] / "tokens.npz"), "--out", str(out), "--no-progress", "--threads", "1"]
    assert train_gpt.main([*args, "--steps", "100000", "--time-budget", "4"]) == 0
    records = read_metrics(out / "metrics.jsonl")
    [event] = [r for r in records if r.get("event") == "time_budget"]
    planned = event["steps"]
    # One reading at the start and one per step, 10 ms apart: at step 50, 0.5 s are spent, and
    # 0.9 x 3.5 s left / 10 ms per step = 315 more steps, floored to 314 by float rounding.
    assert (event["step"], planned) == (50, 364)
    payload = load_checkpoint(out / "last.ckpt", "gpt")
    # Trained to the plan, the schedule decayed to its floor, and the plan recorded for --steps.
    assert payload["step"] == planned == payload["config"]["train"]["steps"]
    last_lr = [r["lr"] for r in records if "lr" in r][-1]
    assert last_lr == pytest.approx(payload["config"]["train"]["lr"] * payload["config"]["train"]["min_lr_ratio"], rel=0.05)


def test_gpt_init_from_weights_only_checkpoint(pipeline: dict[str, Path], tmp_path: Path) -> None:
    root = pipeline["root"]
    assert slim_checkpoint.main([str(root / "gpt/last.ckpt"), str(tmp_path / "gpt-weights.ckpt")]) == 0
    args = ["--tiny", "--tokens", str(root / "tokens.npz"), "--no-progress", "--threads", "1", "--steps", "2"]
    assert train_gpt.main([*args, "--out", str(tmp_path / "a"), "--init-from", str(tmp_path / "gpt-weights.ckpt")]) == 0
    records = read_metrics(tmp_path / "a/metrics.jsonl")
    assert records[0]["config"]["init_from"] == str((tmp_path / "gpt-weights.ckpt").resolve())
    # Before the first step, the held-out loss of the weights it starts from (the baseline to beat).
    assert records[1]["step"] == 0 and records[1]["eval_loss"] > 0
    # A continued run resumes like any other (its checkpoint wins over --init-from's weights).
    resume = [*args[:-1], "4", "--out", str(tmp_path / "a"), "--init-from", str(tmp_path / "gpt-weights.ckpt"), "--resume"]
    assert train_gpt.main(resume) == 0
    assert load_checkpoint(tmp_path / "a/last.ckpt", "gpt")["step"] == 4
    # Starting from trained weights, the first step's loss is the trained model's, not a fresh one's.
    fresh_dir = tmp_path / "fresh"
    assert train_gpt.main([*args, "--out", str(fresh_dir)]) == 0
    first = lambda run: [r["loss"] for r in read_metrics(run / "metrics.jsonl") if "loss" in r][0]  # noqa: E731
    assert first(tmp_path / "a") < first(fresh_dir)
    # A GPT of another shape is refused, naming what differs.
    config = load_run_config("tiny")
    config["gpt"]["model"]["n_embd"] = 16
    (tmp_path / "narrow.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="--init-from .*its GPT is"):
        train_gpt.main(["--config", str(tmp_path / "narrow.yaml"), *args[1:], "--out", str(tmp_path / "b"), "--init-from", str(tmp_path / "gpt-weights.ckpt")])
    # So is a GPT trained on the tokens of another image VQGAN (its codes would mean other patches).
    other = load_checkpoint(tmp_path / "gpt-weights.ckpt", "gpt")
    other["config"]["tokens"]["image_codebook"] = "0123456789abcdef"
    save_checkpoint(tmp_path / "other-codebook.ckpt", other)
    with pytest.raises(ValueError, match="--init-from .*tokens of other VQGAN codebooks"):
        train_gpt.main([*args, "--out", str(tmp_path / "c"), "--init-from", str(tmp_path / "other-codebook.ckpt")])


def test_export_names_a_continued_gpts_earlier_steps(pipeline: dict[str, Path], tmp_path: Path) -> None:
    root = pipeline["root"]
    args = ["--tiny", "--tokens", str(root / "tokens.npz"), "--no-progress", "--threads", "1", "--steps", "2"]
    assert train_gpt.main([*args, "--out", str(tmp_path / "more"), "--init-from", str(root / "gpt/last.ckpt")]) == 0
    assert export_bundle._steps(load_checkpoint(tmp_path / "more/last.ckpt")) == "6 + 2"


@pytest.mark.parametrize("flag, value", [("--time-budget", "0"), ("--time-budget", "soon"), ("--checkpoint-minutes", "-1"), ("--time-budget", "inf")])
def test_budget_flags_refuse_non_positive_values(pipeline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str) -> None:
    commands = [
        (train_gpt.main, ["--tiny", "--tokens", str(pipeline["root"] / "tokens.npz")]),
        (train_vqgan.main, ["--tiny", "--data", str(pipeline["data"])]),
    ]
    for main, args in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([*args, "--out", str(tmp_path / "run"), flag, value])
        assert exit_info.value.code == 2
        assert f"argument {flag}:" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_checkpoints_from_bundle_train_on_like_the_originals(pipeline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root, out = pipeline["root"], tmp_path / "from-bundle"
    assert checkpoints_from_bundle.main([str(root / "bundle"), str(out)]) == 0
    originals = {"image-vqgan.ckpt": root / "image/last.ckpt", "seg-vqgan.ckpt": root / "seg/last.ckpt", "gpt.ckpt": root / "gpt/last.ckpt"}
    for name, original in originals.items():
        ours, theirs = load_checkpoint(out / name), load_checkpoint(original)
        assert ours["stage"] == theirs["stage"] and ours["model_config"] == theirs["model_config"]
        assert ours["model"].keys() == theirs["model"].keys()
        assert all(torch.equal(ours["model"][k], theirs["model"][k]) for k in theirs["model"]), name
    # The extracted VQGANs encode the same tokens, so the GPT checkpoint trains on the original token files.
    encode = ["--data", str(pipeline["data"]), "--image-vqgan", str(out / "image-vqgan.ckpt"), "--seg-vqgan", str(out / "seg-vqgan.ckpt"), "--no-progress", "--threads", "1"]
    assert encode_tokens.main([*encode, "--out", str(tmp_path / "tokens.npz")]) == 0
    with np.load(root / "tokens.npz") as a, np.load(tmp_path / "tokens.npz") as b:
        assert np.array_equal(a["image_tokens"], b["image_tokens"]) and np.array_equal(a["cond_tokens"], b["cond_tokens"])
    args = ["--tiny", "--no-progress", "--threads", "1", "--steps", "2", "--init-from", str(out / "gpt.ckpt")]
    assert train_gpt.main([*args, "--tokens", str(root / "tokens.npz"), "--out", str(tmp_path / "gpt")]) == 0
    # The steps a re-export names are the bundle's, then the new run's.
    assert export_bundle._steps(load_checkpoint(tmp_path / "gpt/last.ckpt")) == "6 + 2"
    # Weights only: a resume from them is refused; an existing folder is not overwritten without --force.
    with pytest.raises(CheckpointMismatch, match="holds weights only"):
        train_gpt.main(["--tiny", "--no-progress", "--threads", "1", "--tokens", str(root / "tokens.npz"), "--out", str(tmp_path / "r"), "--resume", str(out / "gpt.ckpt")])
    with pytest.raises(SystemExit):
        checkpoints_from_bundle.main([str(root / "bundle"), str(out)])
    assert "already exist" in capsys.readouterr().err
    assert checkpoints_from_bundle.main([str(root / "bundle"), str(out), "--force"]) == 0
    # A folder that is not a bundle gets an error that says so.
    assert checkpoints_from_bundle.main([str(tmp_path), str(tmp_path / "x")]) == 2
    assert "no manifest.json" in capsys.readouterr().err
