"""The JSON that `arrowpack inspect --json` and `arrowpack cat --json` print for a tensor
(tools/inspect_json.cc), computed from a numpy array: {"dtype", "shape", ["dim_names"],
"values" | "sum"}. Values are listed in row-major order up to MAX_LISTED elements, else summed.
"""
import math

import numpy as np

MAX_LISTED = 10000


def float_json(tag, x):
    x = float(x)
    if math.isnan(x):
        return {tag: "NaN"}
    if math.isinf(x):
        return {tag: "Infinity" if x > 0 else "-Infinity"}
    if x == 0 and math.copysign(1, x) < 0:
        return {tag: "-0"}
    return {tag: x}


def element(dtype, x):
    if dtype.kind in "iu":
        return int(x)
    if dtype == np.float32:
        return float_json("v", float(repr(np.float32(x)).replace("np.float32(", "").rstrip(")")))["v"]
    return float_json("v", x)["v"]


def tensor_json(array, dim_names=None):
    array = np.asarray(array)
    out = {"dtype": {"f2": "float16", "f4": "float32", "f8": "float64"}.get(array.dtype.str[1:], array.dtype.name),
           "shape": list(array.shape)}
    if dim_names:
        out["dim_names"] = list(dim_names)
    if array.size <= MAX_LISTED:
        out["values"] = [element(array.dtype, x) for x in array.reshape(-1, order="C")]
    elif array.dtype.kind in "iu":
        out["sum"] = int(sum(int(x) for x in np.asarray(array, dtype=object).reshape(-1)))
    else:
        out["sum"] = float(np.sum(array, dtype=np.float64))
    return out
