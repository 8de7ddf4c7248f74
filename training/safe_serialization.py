"""torch.save/torch.load for nested data without arbitrary pickles.

torch 1.13's `weights_only=True` loader refuses Python floats (pickle opcode BINFLOAT), so plain
training state (learning rates, betas, configs) cannot go through it. Here the structure goes into
a JSON string and the tensors into a flat dict; both load with weights_only=True, so opening a
checkpoint or bundle from elsewhere cannot run code.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, Union

import torch

_TENSOR, _TUPLE, _KEYED = "__tensor__", "__tuple__", "__keyed__"


def _encode(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, torch.Tensor):
        key = str(len(tensors))
        tensors[key] = obj.detach().cpu()
        return {_TENSOR: key}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: _encode(v, tensors) for k, v in obj.items()}
        # Optimiser state is keyed by int parameter ids; JSON would silently turn them into strings.
        return {_KEYED: [[k, _encode(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {_TUPLE: [_encode(v, tensors) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, tensors) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _decode(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, dict):
        if _TENSOR in obj and len(obj) == 1:
            return tensors[obj[_TENSOR]]
        if _TUPLE in obj and len(obj) == 1:
            return tuple(_decode(v, tensors) for v in obj[_TUPLE])
        if _KEYED in obj and len(obj) == 1:
            return {k: _decode(v, tensors) for k, v in obj[_KEYED]}
        return {k: _decode(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    return obj


def save(obj: Any, f: Union[str, Path, IO[bytes]]) -> None:
    tensors: dict[str, torch.Tensor] = {}
    structure = json.dumps(_encode(obj, tensors), sort_keys=False)
    torch.save({"structure": structure, "tensors": tensors}, f)


def load(f: Union[str, Path, IO[bytes]]) -> Any:
    raw = torch.load(f, map_location="cpu", weights_only=True)
    if not isinstance(raw, dict) or "structure" not in raw or "tensors" not in raw:
        raise ValueError("not a Tessera tensor+JSON file")
    return _decode(json.loads(raw["structure"]), raw["tensors"])
