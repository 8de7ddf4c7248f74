"""Bad checkpoints and targets: a clear error, and never a partial bundle or a leftover temp folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from training import convert_taming
from training.checkpoint_unpickler import CheckpointError
from training.convert_taming import ConvertOptions, ConversionError, convert, main

from .convert_fixtures.fake_taming_checkpoint import SMALL, write_fake_checkpoint, write_project_yaml


def _setup(tmp_path: Path, **fake) -> tuple[Path, ConvertOptions]:
    ckpt = write_fake_checkpoint(tmp_path / "last.ckpt", **fake)
    options = ConvertOptions(config=write_project_yaml(tmp_path / "project.yaml"))
    return ckpt, options


def _assert_nothing_written(out: Path) -> None:
    assert not out.exists()
    if out.parent.exists():
        leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]
        assert leftovers == []


def test_missing_key_names_the_key(tmp_path: Path) -> None:
    ckpt, options = _setup(tmp_path, edit_state=lambda s: s.pop("transformer.blocks.1.mlp.2.weight"))
    out = tmp_path / "out" / "bundle"
    with pytest.raises(ConversionError, match=r"transformer.*1 missing: transformer\.blocks\.1\.mlp\.2\.weight"):
        convert(ckpt, out, options, log=lambda line: None)
    _assert_nothing_written(out)


def test_wrong_shape_names_key_and_both_shapes(tmp_path: Path) -> None:
    def widen(state):
        state["first_stage_model.quant_conv.weight"] = torch.zeros(SMALL.first_embed_dim + 1, SMALL.first_stage.z_channels, 1, 1)

    ckpt, options = _setup(tmp_path, edit_state=widen)
    out = tmp_path / "bundle"
    with pytest.raises(ConversionError, match=r"first_stage_model\.quant_conv\.weight: checkpoint \(33, 32, 1, 1\), expected \(32, 32, 1, 1\)"):
        convert(ckpt, out, options, log=lambda line: None)
    _assert_nothing_written(out)


def test_config_that_disagrees_with_the_weights(tmp_path: Path) -> None:
    ckpt = write_fake_checkpoint(tmp_path / "last.ckpt")
    config = write_project_yaml(tmp_path / "project.yaml", edit=lambda c: c["model"]["params"]["transformer_config"]["params"].update(n_layer=3))
    out = tmp_path / "bundle"
    with pytest.raises(ConversionError, match=r"transformer.*missing: transformer\.blocks\.2\."):
        convert(ckpt, out, ConvertOptions(config=config), log=lambda line: None)
    _assert_nothing_written(out)


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_with_code_is_refused_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    ckpt, options = _setup(tmp_path, extra={"callbacks": {"x": _Payload(marker)}})
    out = tmp_path / "bundle"
    with pytest.raises(CheckpointError, match=r"contains code.*system\('touch .*pwned'\)"):
        convert(ckpt, out, options, log=lambda line: None)
    assert not marker.exists()
    _assert_nothing_written(out)


def test_code_hidden_in_the_state_dict_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    ckpt, options = _setup(tmp_path, edit_state=lambda s: s.__setitem__("transformer.head.weight", _Payload(marker)))
    out = tmp_path / "bundle"
    with pytest.raises(CheckpointError, match="contains code"):
        convert(ckpt, out, options, log=lambda line: None)
    assert not marker.exists()
    _assert_nothing_written(out)


def test_truncated_checkpoint(tmp_path: Path) -> None:
    ckpt, options = _setup(tmp_path)
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[: len(data) * 2 // 3])
    out = tmp_path / "bundle"
    with pytest.raises(CheckpointError, match="truncated"):
        convert(ckpt, out, options, log=lambda line: None)
    _assert_nothing_written(out)


def test_non_empty_target_is_refused_and_left_alone(tmp_path: Path) -> None:
    ckpt, options = _setup(tmp_path)
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ConversionError, match="not an empty folder"):
        convert(ckpt, out, options, log=lambda line: None)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_failure_while_writing_removes_the_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ckpt, options = _setup(tmp_path)

    def half_written(target, *args, **kwargs):
        Path(target).mkdir()
        (Path(target) / "cond_encoder.onnx").write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(convert_taming, "write_bundle", half_written)
    out = tmp_path / "bundle"
    with pytest.raises(OSError, match="disk full"):
        convert(ckpt, out, options, log=lambda line: None)
    _assert_nothing_written(out)


def test_cli_reports_errors_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ckpt, _ = _setup(tmp_path)
    out = tmp_path / "bundle"
    # No config next to the checkpoint, none given: the head count is needed.
    assert main(["--ckpt", str(ckpt), "--out", str(out)]) == 2
    assert "--n-head" in capsys.readouterr().err
    assert main(["--ckpt", str(tmp_path / "nope.ckpt"), "--out", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    _assert_nothing_written(out)
