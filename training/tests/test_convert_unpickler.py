"""The restricted checkpoint reader: tensors and containers come back, nothing in the pickle runs."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import pytest
import torch

from training.checkpoint_unpickler import (
    CheckpointError,
    InertObject,
    StoredTensor,
    is_inert,
    iter_stored_tensors,
    load_checkpoint,
    refuse_code_calls,
)

from .convert_fixtures.fake_taming_checkpoint import lightning_checkpoint, save_lightning_checkpoint


def _small_state() -> "OrderedDict[str, torch.Tensor]":
    g = torch.Generator().manual_seed(0)
    return OrderedDict(
        [
            ("w", torch.randn(3, 4, generator=g)),
            ("half", torch.randn(5, generator=g).half()),
            ("view", torch.arange(10)[2:7]),  # a view into a larger storage
            ("transposed", torch.randn(4, 3, generator=g).t()),  # non-contiguous strides
            ("param", torch.nn.Parameter(torch.ones(2, 2))),
        ]
    )


def test_plain_weights_only_load_refuses_the_lightning_layout(tmp_path: Path) -> None:
    # The premise of the reader: Lightning 1.0 files name a class that weights_only refuses.
    path = save_lightning_checkpoint(lightning_checkpoint(_small_state()), tmp_path / "x.ckpt")
    with pytest.raises(Exception, match="(?i)unsupported|weights only|global|ModelCheckpoint"):
        torch.load(path, weights_only=True)


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_reads_tensors_of_both_formats_and_only_on_demand(tmp_path: Path, legacy: bool) -> None:
    state = _small_state()
    path = save_lightning_checkpoint(lightning_checkpoint(state), tmp_path / "x.ckpt", legacy_format=legacy)
    checkpoint = load_checkpoint(path)
    assert checkpoint.format == ("legacy" if legacy else "zip")
    root = checkpoint.root
    assert root["global_step"] == 123456 and root["pytorch-lightning_version"] == "1.0.8"
    assert root["optimizer_states"][0]["param_groups"][0]["betas"] == (0.9, 0.95)
    loaded = dict(iter_stored_tensors(root["state_dict"]))
    assert list(loaded) == list(state)
    for key, stored in loaded.items():
        assert stored.shape == tuple(state[key].shape) and stored.dtype == state[key].dtype
        assert torch.equal(stored.load(), state[key].detach())
    assert loaded["param"].is_parameter
    # The optimizer moments were never read from disk.
    moments = [t for _, t in iter_stored_tensors(root["optimizer_states"])]
    assert moments and all(t.storage._flat is None for t in moments)
    checkpoint.close()


def test_class_references_become_inert_placeholders(tmp_path: Path) -> None:
    path = save_lightning_checkpoint(lightning_checkpoint(_small_state()), tmp_path / "x.ckpt")
    checkpoint = load_checkpoint(path)
    (callback_class,) = checkpoint.root["callbacks"]
    assert is_inert(callback_class) and issubclass(callback_class, InertObject)
    assert callback_class.qualified_name() == "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint"
    assert checkpoint.placeholders == ["pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint"]
    assert checkpoint.inert_calls == [] and "pytorch_lightning" not in sys.modules
    checkpoint.close()


class _RunsShell:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # what a hostile checkpoint does
        return (os.system, (f"touch {self.marker}",))


class _RunsEval:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


class _RunsPopen:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (subprocess.Popen, (["touch", str(self.marker)],))


@pytest.mark.parametrize("payload", [_RunsShell, _RunsEval, _RunsPopen], ids=["os.system", "eval", "subprocess.Popen"])
def test_code_in_the_pickle_is_never_run_and_is_refused(tmp_path: Path, payload: type) -> None:
    marker = tmp_path / "marker"
    root = lightning_checkpoint(_small_state(), extra={"hyper_parameters": {"x": payload(marker)}})
    path = save_lightning_checkpoint(root, tmp_path / "evil.ckpt")
    checkpoint = load_checkpoint(path)
    assert not marker.exists()
    placeholder = checkpoint.root["hyper_parameters"]["x"]
    assert isinstance(placeholder, InertObject)  # the call produced a record, not a result
    assert checkpoint.code_calls(), checkpoint.inert_calls
    with pytest.raises(CheckpointError, match="contains code.*nothing from it was run"):
        refuse_code_calls(checkpoint, "evil.ckpt")
    assert not marker.exists()


def test_newobj_build_and_setitems_on_placeholders_import_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Hand-written pickle: NEWOBJ of `this.d` (importing `this` would print the Zen of Python),
    # BUILD with a state dict, then REDUCE of `os.system`; all inside a plain dict.
    already_imported = "this" in sys.modules
    program = (
        b"\x80\x02}q\x00(X\x03\x00\x00\x00objq\x01cthis\nd\n)\x81}X\x01\x00\x00\x00aK\x01sb"
        b"X\x03\x00\x00\x00cmdcos\nsystem\nX\x04\x00\x00\x00true\x85Ru."
    )
    archive = tmp_path / "hand.ckpt"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("archive/data.pkl", program)
        z.writestr("archive/version", "3\n")
    checkpoint = load_checkpoint(archive)
    obj, cmd = checkpoint.root["obj"], checkpoint.root["cmd"]
    assert isinstance(obj, InertObject) and obj.inert_state == {"a": 1}
    assert isinstance(cmd, InertObject) and cmd.inert_args == ("true",)
    assert checkpoint.inert_calls == ["this.d()", "os.system('true')"]
    assert capsys.readouterr().out == ""
    if not already_imported:
        assert "this" not in sys.modules


def test_pickle_checks_are_not_fooled_by_the_standard_unpickler_bypass(tmp_path: Path) -> None:
    # A tensor rebuilt from something that is not a storage is refused, not passed on.
    program = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(X\x01\x00\x00\x00xK\x00))\x89tR."
    archive = tmp_path / "odd.ckpt"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("archive/data.pkl", program)
    with pytest.raises(CheckpointError, match="instead of a storage"):
        load_checkpoint(archive)


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_truncated_files_give_a_clear_error(tmp_path: Path, legacy: bool) -> None:
    path = save_lightning_checkpoint(lightning_checkpoint(_small_state()), tmp_path / "x.ckpt", legacy_format=legacy)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 5):
        path.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match="truncated|damaged|corrupt"):
            checkpoint = load_checkpoint(path)
            for _, stored in iter_stored_tensors(checkpoint.root):
                stored.load()


def test_damaged_tensor_bytes_fail_the_crc(tmp_path: Path) -> None:
    path = save_lightning_checkpoint(lightning_checkpoint(_small_state()), tmp_path / "x.ckpt")
    with zipfile.ZipFile(path) as z:
        info = next(i for i in z.infolist() if "/data/" in i.filename)
    data = bytearray(path.read_bytes())
    # The local header's name and extra lengths (torch pads the extra field to align the data).
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    offset = info.header_offset + 30 + name_length + extra_length
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    checkpoint = load_checkpoint(path)
    with pytest.raises(CheckpointError, match="damaged|corrupt"):
        for _, stored in iter_stored_tensors(checkpoint.root):
            stored.load()


def test_other_files_are_not_mistaken_for_checkpoints(tmp_path: Path) -> None:
    cases = {"empty.ckpt": b"", "text.ckpt": b"hello world, not a checkpoint", "plain.pkl": pickle.dumps({"a": 1}, protocol=2)}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(CheckpointError):
            load_checkpoint(tmp_path / name)
    with pytest.raises(CheckpointError, match="cannot read"):
        load_checkpoint(tmp_path / "missing.ckpt")


def test_stored_tensor_repr_and_numel(tmp_path: Path) -> None:
    path = save_lightning_checkpoint(lightning_checkpoint(_small_state()), tmp_path / "x.ckpt")
    checkpoint = load_checkpoint(path)
    stored = checkpoint.root["state_dict"]["w"]
    assert isinstance(stored, StoredTensor) and stored.numel() == 12 and repr(stored) == "StoredTensor(float32[3, 4])"
    checkpoint.close()
