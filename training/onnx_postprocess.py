"""Hand-written ONNX graph edits (Debian has no onnxruntime tooling): dynamic int8 quantisation of
the transformer's weight MatMuls, and fp16 weight storage."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FP16_MAX = 65504.0

# Weights use 7 bits (±63), onnxruntime's reduce_range: on x86 CPUs without VNNI (AVX2, AVX-512F)
# its u8×s8 kernel adds pairs of products in int16, and 255·127·2 overflows it: measured on an
# AVX2-only AMD EPYC, full-range weights put the fixture transformer's logits 0.99 off (their std
# is 1.0); 255·63·2 fits.
WEIGHT_LEVELS = 63


def quantize_matmuls_dynamic_int8(model: onnx.ModelProto) -> int:
    """Replaces MatMul(A, W) with a constant 2-D float W by
    DynamicQuantizeLinear(A) → MatMulInteger(A_u8, W_i8, A_zp) → Cast → Mul(A_scale · w_scale[n]).

    Weights get symmetric per-output-column 7-bit scales (zero point 0); activations are quantised
    per tensor at run time. This is the op pattern onnxruntime's quantize_dynamic emits, which
    runs in ORT-node and ORT-web alike (see shared reference onnxruntime-measured.md).
    Returns the number of MatMuls replaced.
    """
    inits = {init.name: init for init in model.graph.initializer}
    new_nodes = []
    new_inits = []
    quantized_inputs: dict[str, tuple[str, str, str]] = {}
    used_weights: set[str] = set()
    replaced = 0
    for node in model.graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or weight.data_type != TensorProto.FLOAT or len(weight.dims) != 2:
            new_nodes.append(node)
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        scale = np.abs(w).max(axis=0) / WEIGHT_LEVELS
        scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        w_q = np.clip(np.round(w / scale), -WEIGHT_LEVELS, WEIGHT_LEVELS).astype(np.int8)
        base = f"{weight.name}_int8"
        new_inits += [numpy_helper.from_array(w_q, base), numpy_helper.from_array(scale, f"{base}_scale")]
        used_weights.add(weight.name)
        a = node.input[0]
        if a not in quantized_inputs:
            q = f"{a}_dq"
            quantized_inputs[a] = (f"{q}_u8", f"{q}_scale", f"{q}_zp")
            new_nodes.append(helper.make_node("DynamicQuantizeLinear", [a], list(quantized_inputs[a]), name=f"{q}_DynamicQuantizeLinear"))
        a_q, a_scale, a_zp = quantized_inputs[a]
        out = node.output[0]
        new_nodes += [
            helper.make_node("MatMulInteger", [a_q, f"{base}", a_zp], [f"{out}_i32"], name=f"{node.name}_MatMulInteger"),
            helper.make_node("Cast", [f"{out}_i32"], [f"{out}_f32"], to=TensorProto.FLOAT, name=f"{node.name}_Cast"),
            helper.make_node("Mul", [a_scale, f"{base}_scale"], [f"{out}_scale"], name=f"{node.name}_Scale"),
            helper.make_node("Mul", [f"{out}_f32", f"{out}_scale"], [out], name=f"{node.name}_Dequantize"),
        ]
        replaced += 1
    del model.graph.node[:]
    model.graph.node.extend(new_nodes)
    still_used = {name for n in new_nodes for name in n.input}
    remaining = [i for i in model.graph.initializer if not (i.name in used_weights and i.name not in still_used)]
    del model.graph.initializer[:]
    model.graph.initializer.extend(remaining + new_inits)
    return replaced


def write_int8_transformer(source: Path, target: Path) -> int:
    model = onnx.load(str(source))
    count = quantize_matmuls_dynamic_int8(model)
    onnx.checker.check_model(model)
    target.write_bytes(model.SerializeToString())
    return count


def store_weights_as_fp16(path: Path, min_elements: int = 16) -> int:
    """Stores float32 initializers as float16 with a Cast back to float32 at the start of the graph.

    The graphs' inputs, outputs and arithmetic stay float32 (the manifest's contract, and what every
    onnxruntime backend runs); only the stored weights lose precision (fp16 keeps ~3 decimal digits).
    Tiny tensors (scalars, eps) and values beyond fp16's range stay float32. Returns the count.
    """
    model = onnx.load(str(path))
    graph = model.graph
    graph_inputs = {i.name for i in graph.input}
    taken = {i.name for i in graph.initializer} | {o for n in graph.node for o in n.output}
    initializers, casts, converted = [], [], 0
    for init in graph.initializer:
        elements = int(np.prod(init.dims)) if len(init.dims) else 1
        if init.data_type != TensorProto.FLOAT or elements < min_elements or init.name in graph_inputs:
            initializers.append(init)
            continue
        values = numpy_helper.to_array(init)
        if not np.isfinite(values).all() or np.abs(values).max() > FP16_MAX:
            initializers.append(init)
            continue
        name = f"{init.name}__fp16"
        while name in taken:
            name += "_"
        taken.add(name)
        initializers.append(numpy_helper.from_array(values.astype(np.float16), name))
        casts.append(helper.make_node("Cast", [name], [init.name], to=TensorProto.FLOAT, name=f"{name}__to_fp32"))
        converted += 1
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return converted
