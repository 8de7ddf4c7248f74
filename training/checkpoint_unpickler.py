"""Reads a PyTorch / PyTorch-Lightning checkpoint without running any code from it.

A checkpoint is a pickle, and a pickle is a small program: its GLOBAL and REDUCE opcodes import and
call whatever the file names (`os.system`, `builtins.eval`, ...). `torch.load(weights_only=True)`
blocks that, but it also refuses the official taming checkpoints, because Lightning 1.0 stored class
references in them (the `callbacks` dict is keyed by the callback class). An ordinary `torch.load`
would need Lightning installed and would run whatever the file asks for.

This module is its own reader for both torch formats (the zip format of torch >= 1.6 and the older
"legacy" stream) with a restricted unpickler:

* tensors, storages, dtypes and plain containers (dict, list, tuple, OrderedDict, set) are rebuilt;
* every other global becomes an *inert placeholder*: a fresh class that remembers the name it
  stands for. Calling it (the REDUCE / NEWOBJ opcodes) only records the arguments; the real object
  is never imported, let alone called;
* tensors are not read when the pickle is unpickled: each becomes a `StoredTensor` that knows where
  its bytes are, so the optimizer states of a 4 GB checkpoint are never loaded. Only the tensors a
  caller asks for (`StoredTensor.load()`) are read.

After loading, `LoadedCheckpoint.inert_calls` lists every call the pickle asked for. Callers decide
what to refuse; `refuse_code_calls` refuses calls of globals that run code (eval, os.system,
subprocess, ...), since a checkpoint asking for those is hostile even though nothing ran.
"""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import torch


class CheckpointError(Exception):
    """A checkpoint that cannot be read, or that is refused. The message is meant for the user."""


# --------------------------------------------------------------------------------------------
# Inert placeholders for globals that are not on the allow-list
# --------------------------------------------------------------------------------------------


class InertObject:
    """Base of all placeholder classes; an instance stands for the result of a refused call.

    Instances are created only by the unpickler, when the pickle calls a placeholder class (REDUCE,
    NEWOBJ, INST/OBJ). They record what they were called with and any state that BUILD, SETITEM or
    APPEND would have set, so that the caller can report it. Nothing else happens.
    """

    inert_module: str = "?"
    inert_name: str = "?"

    def __new__(cls, *args: Any, **kwargs: Any) -> "InertObject":
        instance = object.__new__(cls)
        # object.__setattr__ is used because pickle's BUILD may later set arbitrary attributes.
        object.__setattr__(instance, "inert_args", args)
        object.__setattr__(instance, "inert_kwargs", kwargs)
        object.__setattr__(instance, "inert_state", None)
        object.__setattr__(instance, "inert_items", [])
        _note_inert_call(cls, args)
        return instance

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Arguments were recorded in __new__ (NEWOBJ calls only __new__, REDUCE calls both).
        pass

    def __setstate__(self, state: Any) -> None:
        object.__setattr__(self, "inert_state", state)

    # Containers subclassing dict or list (e.g. AttributeDict) are filled by SETITEMS / APPENDS.
    def __setitem__(self, key: Any, value: Any) -> None:
        self.inert_items.append((key, value))

    def append(self, value: Any) -> None:
        self.inert_items.append(value)

    def extend(self, values: Any) -> None:
        self.inert_items.extend(values)

    def __repr__(self) -> str:
        return f"<inert {self.inert_module}.{self.inert_name}(...)>"

    @classmethod
    def qualified_name(cls) -> str:
        return f"{cls.inert_module}.{cls.inert_name}"


# The unpickler being run records calls here (set for the duration of one load; loads in this
# process are not concurrent, and the recorder is reset in a finally block).
_active_call_recorder: list[tuple[str, tuple[Any, ...]]] | None = None


def _note_inert_call(cls: type, args: tuple[Any, ...]) -> None:
    if _active_call_recorder is not None:
        _active_call_recorder.append((f"{getattr(cls, 'inert_module', '?')}.{getattr(cls, 'inert_name', '?')}", args))


def is_inert(value: Any) -> bool:
    """True for a placeholder class or an instance of one."""
    return isinstance(value, InertObject) or (isinstance(value, type) and issubclass(value, InertObject))


# --------------------------------------------------------------------------------------------
# Tensors that are still on disk
# --------------------------------------------------------------------------------------------

# The storage classes torch pickles (as GLOBAL 'torch FloatStorage' etc.) and the dtype each holds.
_STORAGE_DTYPES: dict[str, torch.dtype] = {
    "DoubleStorage": torch.float64,
    "FloatStorage": torch.float32,
    "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16,
    "LongStorage": torch.int64,
    "IntStorage": torch.int32,
    "ShortStorage": torch.int16,
    "CharStorage": torch.int8,
    "ByteStorage": torch.uint8,
    "BoolStorage": torch.bool,
    "UntypedStorage": torch.uint8,
}


@dataclass(frozen=True)
class StorageKind:
    """What the unpickler returns for GLOBAL 'torch FloatStorage': just the element type."""

    name: str
    dtype: torch.dtype


class StorageRecord:
    """One storage of the checkpoint: where its bytes are and how to read them (once)."""

    # Slots, so that a pickle's BUILD opcode cannot rewrite a record's fields.
    __slots__ = ("key", "dtype", "numel", "_read_bytes", "_flat")

    def __init__(self, key: str, dtype: torch.dtype, numel: int, read_bytes: Callable[[int], bytearray]) -> None:
        self.key = key
        self.dtype = dtype
        self.numel = numel
        self._read_bytes = read_bytes
        self._flat: torch.Tensor | None = None

    @property
    def nbytes(self) -> int:
        return self.numel * _element_size(self.dtype)

    def flat(self) -> torch.Tensor:
        """The storage as a 1-d tensor of its dtype, read from disk on first use."""
        if self._flat is None:
            if self.numel == 0:
                self._flat = torch.empty(0, dtype=self.dtype)
            else:
                raw = self._read_bytes(self.nbytes)
                if len(raw) != self.nbytes:
                    raise CheckpointError(
                        f"storage {self.key!r} should hold {self.nbytes} bytes but the file has {len(raw)}: "
                        "the checkpoint is truncated or damaged"
                    )
                self._flat = torch.frombuffer(raw, dtype=torch.uint8).view(self.dtype)
        return self._flat

    def release(self) -> None:
        """Forgets the bytes read so far, so that memory can be reclaimed."""
        self._flat = None


@dataclass(slots=True)
class StoredTensor:
    """A tensor of the checkpoint that has not been read yet: shape and dtype are known without I/O."""

    storage: StorageRecord
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]
    is_parameter: bool = False

    @property
    def dtype(self) -> torch.dtype:
        return self.storage.dtype

    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    def load(self) -> torch.Tensor:
        """Reads the tensor (its whole storage) from the file; returns a tensor that owns its memory."""
        flat = self.storage.flat()
        try:
            view = torch.as_strided(flat, self.shape, self.stride, self.offset)
        except RuntimeError as error:
            raise CheckpointError(
                f"tensor of shape {self.shape} at offset {self.offset} does not fit in storage {self.storage.key!r} "
                f"of {self.storage.numel} elements: the checkpoint is damaged ({error})"
            ) from None
        if self.offset == 0 and view.numel() == flat.numel() and view.is_contiguous():
            return view  # the usual case: the tensor is its whole storage, so no copy is needed
        # clone() so that the result does not pin a larger shared storage and is contiguous.
        return view.clone()

    def __repr__(self) -> str:
        return f"StoredTensor({str(self.dtype).replace('torch.', '')}{list(self.shape)})"


def _element_size(dtype: torch.dtype) -> int:
    return torch.empty((), dtype=dtype).element_size()


def _as_int_tuple(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list, torch.Size)) or not all(isinstance(v, int) for v in value):
        raise CheckpointError(f"tensor {what} is not a tuple of integers but {value!r}: not a plain checkpoint")
    return tuple(int(v) for v in value)


def _rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any, *_ignored: Any) -> StoredTensor:
    # Stands for torch._utils._rebuild_tensor_v2 (and the older _rebuild_tensor): the trailing
    # arguments are requires_grad, backward hooks and metadata, none of which matter for weights.
    if not isinstance(storage, StorageRecord):
        raise CheckpointError(f"a tensor is built from {storage!r} instead of a storage: not a plain checkpoint")
    if not isinstance(storage_offset, int):
        raise CheckpointError(f"tensor storage offset is {storage_offset!r}, not an integer: not a plain checkpoint")
    shape = _as_int_tuple(size, "size")
    strides = _as_int_tuple(stride, "stride")
    if len(shape) != len(strides):
        raise CheckpointError(f"tensor size {shape} and stride {strides} differ in length: the checkpoint is damaged")
    return StoredTensor(storage=storage, offset=storage_offset, shape=shape, stride=strides)


def _rebuild_parameter(data: Any, *_ignored: Any) -> StoredTensor:
    # Stands for torch._utils._rebuild_parameter(_with_state): a Parameter is just its data here.
    if not isinstance(data, StoredTensor):
        raise CheckpointError(f"a parameter wraps {data!r} instead of a tensor: not a plain checkpoint")
    data.is_parameter = True
    return data


class _TensorTypeMarker:
    """Stands for torch.Tensor / torch.nn.Parameter when a pickle names them as a type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<type {self.name}>"


def _rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    # torch pickles tensor subclasses (and tensors with Python attributes) as
    # _rebuild_from_type_v2(rebuild_function, type, args, state). Only our own rebuilders may be
    # the function; the type and state are dropped, which is right for weights.
    if func not in (_rebuild_tensor, _rebuild_parameter) or not isinstance(args, tuple):
        raise CheckpointError(f"a tensor is rebuilt through {func!r}: not a plain checkpoint")
    return func(*args)


def _codecs_encode(text: Any, encoding: Any = "utf-8") -> bytes:
    # Protocol-2 pickles written by Python 3 store bytes as _codecs.encode(str, 'latin1').
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise CheckpointError("the checkpoint calls _codecs.encode with unusual arguments: refused")
    return text.encode("latin1")


def _allowed_global(module: str, name: str) -> Any | None:
    """The object a pickle may name, or None when it must become a placeholder."""
    if module == "collections" and name == "OrderedDict":
        return OrderedDict
    if module == "builtins" and name in ("set", "frozenset", "complex", "bytearray", "slice"):
        return {"set": set, "frozenset": frozenset, "complex": complex, "bytearray": bytearray, "slice": slice}[name]
    if module == "_codecs" and name == "encode":
        return _codecs_encode
    if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
        return _rebuild_tensor
    if module == "torch._utils" and name in ("_rebuild_parameter", "_rebuild_parameter_with_state"):
        return _rebuild_parameter
    if module in ("torch._tensor", "torch.tensor") and name == "_rebuild_from_type_v2":
        return _rebuild_from_type_v2
    if module == "torch" and name in _STORAGE_DTYPES:
        return StorageKind(name, _STORAGE_DTYPES[name])
    if module == "torch" and name == "Size":
        return torch.Size
    if module == "torch" and name == "device":
        return torch.device
    if module == "torch" and name == "Tensor":
        return _TensorTypeMarker("torch.Tensor")
    if module == "torch.nn.parameter" and name == "Parameter":
        return _TensorTypeMarker("torch.nn.Parameter")
    if module == "torch" and isinstance(getattr(torch, name, None), torch.dtype):
        return getattr(torch, name)
    return None


# Globals whose call means "run code" or "touch the system": a checkpoint that asks for one of them is
# hostile. The list is about giving a clear refusal; safety does not depend on it, since no
# placeholder runs anything. Data-like globals that Lightning may store (argparse.Namespace,
# numpy scalars, pathlib paths, AttributeDict) are not on it: they are neutralised and reported.
_CODE_PREFIXES = (
    "builtins", "__builtin__", "os", "posix", "nt", "subprocess", "_posixsubprocess", "sys", "importlib",
    "runpy", "shutil", "socket", "pickle", "_pickle", "copyreg", "marshal", "ctypes", "code", "codeop",
    "pty", "webbrowser", "multiprocessing", "types", "functools", "operator", "io", "_io", "tempfile",
    "signal", "threading", "_thread", "asyncio", "urllib", "http", "ftplib", "smtplib", "telnetlib", "pdb",
    "timeit", "trace", "cProfile", "profile", "platform", "ensurepip", "pip", "setuptools", "distutils",
    "zipimport", "imp", "commands", "popen2", "spawn", "glob", "zipfile", "tarfile", "dill", "cloudpickle",
    "joblib", "yaml", "torch.load", "torch.hub", "torch.jit", "torch.package", "torch.ops", "torch.classes",
    "torch.utils.cpp_extension", "torch.storage._load_from_bytes", "torch.serialization", "torch._C",
    "numpy.load", "numpy.lib", "numpy.ctypeslib", "numpy.testing", "numpy.f2py", "numpy.distutils",
)


def looks_like_code(qualified_name: str) -> bool:
    """Whether calling this global would run code or touch the system (judged by its dotted name)."""
    return any(qualified_name == p or qualified_name.startswith(p + ".") for p in _CODE_PREFIXES)


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler whose only way to reach a global is the allow-list above; the rest are inert."""

    def __init__(self, file: BinaryIO, persistent_load: Callable[[Any], Any] | None = None) -> None:
        super().__init__(file)
        self._persistent_load_hook = persistent_load
        self.placeholders: dict[str, type] = {}

    def find_class(self, module: str, name: str) -> Any:  # noqa: D401 - pickle's hook
        if not isinstance(module, str) or not isinstance(name, str):
            raise CheckpointError("the pickle names a global by a non-string: not a plain checkpoint")
        allowed = _allowed_global(module, name)
        if allowed is not None:
            return allowed
        key = f"{module}.{name}"
        placeholder = self.placeholders.get(key)
        if placeholder is None:
            # A new class per name, so that it can key a dict (Lightning's callbacks) and so that
            # NEWOBJ, which requires a class, works; instances only record their arguments.
            safe_name = "".join(c if c.isalnum() else "_" for c in name) or "Inert"
            placeholder = type(f"Inert_{safe_name}", (InertObject,), {"inert_module": module, "inert_name": name})
            self.placeholders[key] = placeholder
        return placeholder

    def persistent_load(self, pid: Any) -> Any:  # noqa: D401 - pickle's hook
        if self._persistent_load_hook is None:
            raise CheckpointError("the pickle refers to external data where none is expected: not a plain checkpoint")
        return self._persistent_load_hook(pid)


# --------------------------------------------------------------------------------------------
# Whole checkpoints
# --------------------------------------------------------------------------------------------


@dataclass
class LoadedCheckpoint:
    """The unpickled top-level object, with tensors as StoredTensor, and what the pickle asked for."""

    root: Any
    format: str  # "zip" (torch >= 1.6) or "legacy"
    placeholders: list[str] = field(default_factory=list)  # globals replaced by placeholders
    inert_calls: list[str] = field(default_factory=list)  # placeholder calls, "module.name(args…)"
    storages: list[StorageRecord] = field(default_factory=list)
    closer: Callable[[], None] | None = None  # closes the file the tensors are read from

    def code_calls(self) -> list[str]:
        return [call for call in self.inert_calls if looks_like_code(call.split("(", 1)[0])]

    def close(self) -> None:
        """Forgets every tensor read so far and closes the file; StoredTensors cannot load afterwards."""
        for storage in self.storages:
            storage.release()
        if self.closer is not None:
            self.closer()
            self.closer = None


def refuse_code_calls(checkpoint: LoadedCheckpoint, source: str) -> None:
    """Raises CheckpointError when the pickle asked to call a global that runs code."""
    calls = checkpoint.code_calls()
    if calls:
        shown = "; ".join(calls[:3]) + (f"; and {len(calls) - 3} more" if len(calls) > 3 else "")
        raise CheckpointError(
            f"{source} contains code: unpickling it would call {shown}. It was refused and nothing from it "
            "was run. Use a checkpoint from a source you trust."
        )


def _describe_call(name: str, args: tuple[Any, ...]) -> str:
    text = ", ".join(repr(a) for a in args)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{name}({text})"


_ZIP_MAGIC = b"PK\x03\x04"
_LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL_VERSION = 1001


def load_checkpoint(path: str | Path) -> LoadedCheckpoint:
    """Unpickles a torch checkpoint safely; tensors stay on disk until StoredTensor.load()."""
    path = Path(path)
    try:
        with path.open("rb") as probe:
            head = probe.read(4)
    except OSError as error:
        raise CheckpointError(f"cannot read {path}: {error.strerror or error}") from None
    if len(head) < 4:
        raise CheckpointError(f"{path.name} is empty or truncated ({len(head)} bytes): not a checkpoint")
    global _active_call_recorder
    recorder: list[tuple[str, tuple[Any, ...]]] = []
    _active_call_recorder = recorder
    try:
        if head == _ZIP_MAGIC:
            checkpoint = _load_zip(path)
        elif head[:1] == b"\x80":
            checkpoint = _load_legacy(path)
        else:
            raise CheckpointError(
                f"{path.name} is neither a torch zip checkpoint nor a legacy torch pickle (it starts with {head!r})"
            )
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            struct.error, zipfile.BadZipFile, RuntimeError, RecursionError, MemoryError) as error:
        raise CheckpointError(
            f"{path.name} could not be read as a checkpoint ({type(error).__name__}: {error}); it is truncated, "
            "damaged or not a torch checkpoint"
        ) from None
    finally:
        _active_call_recorder = None
    checkpoint.inert_calls = [_describe_call(name, args) for name, args in recorder]
    return checkpoint


def _load_zip(path: Path) -> LoadedCheckpoint:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise CheckpointError(
            f"{path.name} starts like a torch zip checkpoint but its zip directory is missing or damaged: "
            "the file is truncated (an interrupted download?) or corrupt"
        ) from None
    names = archive.namelist()
    pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pickles) != 1:
        raise CheckpointError(f"{path.name} is a zip file but not a torch checkpoint (no single <name>/data.pkl)")
    prefix = pickles[0][: -len("data.pkl")]
    byteorder_name = prefix + "byteorder"
    if byteorder_name in names and archive.read(byteorder_name).strip() not in (b"little", b""):
        raise CheckpointError(f"{path.name} was written on a big-endian machine; that is not supported")

    storages: dict[str, StorageRecord] = {}

    def read_record(name: str) -> Callable[[int], bytearray]:
        def read(nbytes: int) -> bytearray:
            try:
                info = archive.getinfo(name)
            except KeyError:
                raise CheckpointError(f"{path.name} lacks the data record {name!r}: the checkpoint is damaged") from None
            if info.file_size != nbytes:
                raise CheckpointError(
                    f"data record {name!r} holds {info.file_size} bytes where {nbytes} are expected: the checkpoint is damaged"
                )
            buffer = bytearray(nbytes)
            view = memoryview(buffer)
            position = 0
            try:
                # Read in chunks so that a large tensor is not held twice; zipfile checks the CRC at the end.
                with archive.open(info) as stream:
                    while position < nbytes:
                        chunk = stream.read(min(1 << 24, nbytes - position))
                        if not chunk:
                            break
                        view[position : position + len(chunk)] = chunk
                        position += len(chunk)
                    stream.read(1)  # reaching the end makes zipfile verify the CRC
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise CheckpointError(f"data record {name!r} is damaged ({error}): the checkpoint is corrupt") from None
            if position != nbytes:
                raise CheckpointError(f"data record {name!r} is truncated: the checkpoint is corrupt")
            return buffer

        return read

    def persistent_load(pid: Any) -> StorageRecord:
        if not isinstance(pid, tuple) or len(pid) != 5 or _ascii(pid[0]) != "storage":
            raise CheckpointError(f"unexpected external reference {pid!r} in the pickle: not a plain checkpoint")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, StorageKind):
            raise CheckpointError(f"storage type {kind!r} is not a torch storage: not a plain checkpoint")
        key = _ascii(key)
        if not isinstance(numel, int) or numel < 0:
            raise CheckpointError(f"storage {key!r} has a bad size {numel!r}: the checkpoint is damaged")
        if key not in storages:
            # For UntypedStorage the size is in bytes and the dtype uint8, which matches.
            storages[key] = StorageRecord(key, kind.dtype, numel, read_record(f"{prefix}data/{key}"))
        return storages[key]

    try:
        unpickler = RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), persistent_load)
        root = unpickler.load()
    except BaseException:
        archive.close()
        raise
    return LoadedCheckpoint(root=root, format="zip", placeholders=sorted(unpickler.placeholders),
                            storages=list(storages.values()), closer=archive.close)


def _load_legacy(path: Path) -> LoadedCheckpoint:
    """The stream format of torch < 1.6 (and of `_use_new_zipfile_serialization=False`)."""
    stream = path.open("rb")
    try:
        return _read_legacy_stream(path, stream)
    except BaseException:
        stream.close()
        raise


def _read_legacy_stream(path: Path, stream: BinaryIO) -> LoadedCheckpoint:
    placeholders: set[str] = set()

    def plain_pickle() -> Any:
        unpickler = RestrictedUnpickler(stream)
        value = unpickler.load()
        placeholders.update(unpickler.placeholders)
        return value

    if plain_pickle() != _LEGACY_MAGIC_NUMBER:
        raise CheckpointError(f"{path.name} is a pickle but not a torch checkpoint (no torch magic number)")
    if plain_pickle() != _LEGACY_PROTOCOL_VERSION:
        raise CheckpointError(f"{path.name} uses an unknown legacy torch protocol version")
    sys_info = plain_pickle()
    if isinstance(sys_info, dict) and sys_info.get("little_endian") is False:
        raise CheckpointError(f"{path.name} was written on a big-endian machine; that is not supported")

    roots: dict[str, StorageRecord] = {}
    offsets: dict[str, int] = {}

    def read_at(key: str) -> Callable[[int], bytearray]:
        def read(nbytes: int) -> bytearray:
            if key not in offsets:
                raise CheckpointError(f"storage {key!r} has no data in {path.name}: the checkpoint is damaged")
            stream.seek(offsets[key])
            data = bytearray(stream.read(nbytes))
            return data

        return read

    def persistent_load(pid: Any) -> Any:
        if isinstance(pid, tuple) and pid and _ascii(pid[0]) == "module":
            raise CheckpointError(f"{path.name} contains pickled module source code: refused")
        if not isinstance(pid, tuple) or len(pid) != 6 or _ascii(pid[0]) != "storage":
            raise CheckpointError(f"unexpected external reference {pid!r} in the pickle: not a plain checkpoint")
        _, kind, root_key, _location, numel, view_metadata = pid
        if not isinstance(kind, StorageKind) or not isinstance(numel, int) or numel < 0:
            raise CheckpointError(f"bad storage reference {pid!r}: the checkpoint is damaged")
        root_key = _ascii(root_key)
        if root_key not in roots:
            roots[root_key] = StorageRecord(root_key, kind.dtype, numel, read_at(root_key))
        if view_metadata is None:
            return roots[root_key]
        view_key, view_offset, view_size = view_metadata
        if not isinstance(view_offset, int) or not isinstance(view_size, int) or view_offset < 0 or view_offset + view_size > numel:
            raise CheckpointError(f"storage view {view_metadata!r} lies outside its storage: the checkpoint is damaged")
        # A storage view: expressed as a record that slices the root once the root is read.
        root = roots[root_key]
        view = StorageRecord(_ascii(view_key), kind.dtype, view_size, lambda n, r=root, o=view_offset: _slice_bytes(r, o, n))
        return view

    unpickler = RestrictedUnpickler(stream, persistent_load)
    root_object = unpickler.load()
    placeholders.update(unpickler.placeholders)
    keys = plain_pickle()
    if not isinstance(keys, list):
        raise CheckpointError(f"{path.name} has no storage table: the checkpoint is damaged")
    for key in keys:
        key = _ascii(key)
        record = roots.get(key)
        if record is None:
            raise CheckpointError(f"{path.name} stores data for unknown storage {key!r}: the checkpoint is damaged")
        size_bytes = stream.read(8)
        if len(size_bytes) != 8:
            raise CheckpointError(f"{path.name} is truncated (storage {key!r} is missing)")
        (count,) = struct.unpack("<q", size_bytes)
        if count != record.numel:
            raise CheckpointError(f"storage {key!r} holds {count} elements where {record.numel} are expected: damaged")
        offsets[key] = stream.tell()
        stream.seek(record.nbytes, io.SEEK_CUR)
    end = stream.tell()
    stream.seek(0, io.SEEK_END)
    if stream.tell() < end:
        raise CheckpointError(f"{path.name} is truncated: its storages need {end} bytes, the file has {stream.tell()}")
    return LoadedCheckpoint(root=root_object, format="legacy", placeholders=sorted(placeholders),
                            storages=list(roots.values()), closer=stream.close)


def _slice_bytes(root: StorageRecord, element_offset: int, nbytes: int) -> bytearray:
    start = element_offset * _element_size(root.dtype)
    return bytearray(root.flat().view(torch.uint8)[start : start + nbytes].numpy().tobytes())


def _ascii(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii")
    if isinstance(value, str):
        return value
    raise CheckpointError(f"expected a name, found {value!r}: not a plain checkpoint")


def iter_stored_tensors(value: Any, prefix: str = "") -> Iterator[tuple[str, StoredTensor]]:
    """Yields (dotted path, tensor) for every StoredTensor inside nested dicts and lists."""
    if isinstance(value, StoredTensor):
        yield prefix, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_stored_tensors(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from iter_stored_tensors(item, f"{prefix}.{index}" if prefix else str(index))
