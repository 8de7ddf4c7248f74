"""Runs ONNX graphs through onnxruntime-node (a small Node script), since Debian's Python has no
onnxruntime. Used by the parity tests and by checks on exported bundles."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).resolve().parent / "ort_node_runner.mjs"
_DTYPES = {"float32": np.float32, "int64": np.int64, "int32": np.int32, "uint8": np.uint8}


class OrtNodeUnavailable(RuntimeError):
    pass


def ort_node_available() -> bool:
    return shutil.which("node") is not None and (REPO_ROOT / "node_modules" / "onnxruntime-node").is_dir()


def _encode(array: np.ndarray) -> dict:
    array = np.ascontiguousarray(array)
    kind = {np.dtype(v): k for k, v in _DTYPES.items()}.get(array.dtype)
    if kind is None:
        raise TypeError(f"unsupported dtype {array.dtype}")
    return {"type": kind, "dims": list(array.shape), "data": base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode()}


def _decode(t: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(t["data"]), dtype=np.dtype(_DTYPES[t["type"]]).newbyteorder("<")).reshape(t["dims"]).astype(_DTYPES[t["type"]])


def run_onnx(runs: Sequence[tuple[str | Path, Mapping[str, np.ndarray]]], threads: int = 1, timeout: float = 120) -> list[dict[str, np.ndarray]]:
    """Runs each (model, feeds) in one Node process (sessions are reused per model path)."""
    if not ort_node_available():
        raise OrtNodeUnavailable("node or node_modules/onnxruntime-node is missing (run npm install in the repo root)")
    request = {"threads": threads, "runs": [{"model": str(Path(m).resolve()), "feeds": {k: _encode(v) for k, v in feeds.items()}} for m, feeds in runs]}
    with tempfile.TemporaryDirectory(prefix="tessera-ort-") as tmp:
        req, resp = Path(tmp) / "request.json", Path(tmp) / "response.json"
        req.write_text(json.dumps(request))
        proc = subprocess.run(["node", str(RUNNER), str(req), str(resp)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        results = json.loads(resp.read_text())["results"]
    return [{name: _decode(t) for name, t in r.items()} for r in results]
