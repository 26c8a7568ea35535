#!/usr/bin/env python3
"""Instructions and allocations per call of bench_serialize.py's operations, under callgrind.

Times move with the machine's load; instruction counts do not. For each case, library and
operation (the same cases and the same calls as bench_serialize.py, imported from it), two
child processes run under `valgrind --tool=callgrind`: both build the case and call the
operation a few times to warm up (caches, lazy binding, first-use tables), then one calls it
K more times. The difference between the two, divided by K, is what one call costs:

  instructions   Ir per call (all of it: the Python call, the library, the allocator)
  C allocs       calls to malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign
                 per call (pymalloc's requests above 512 bytes are among them)
  Py allocs      calls to pymalloc (_PyObject_Malloc, _PyObject_Calloc, _PyObject_Realloc)
                 per call: Python objects and their small buffers (objects taken from a
                 type's free list, as lists and dicts often are, do not reach it)

The garbage collector is off in the children, as while timing. Ratios are other/arrowpack:
> 1 means arrowpack does less. Needs valgrind (apt-get install valgrind). From the root:

  PYTHONPATH=build/python/package .deps/py-legacy/bin/python bench/python/bench_counts.py
  ... bench_counts.py --cases small,arrays,dicts --ops ser_buffer,de_buffer --json counts.json
"""
import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_serialize as bs  # noqa: E402  (the cases and the operations: one home)

C_ALLOCATORS = {"malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign"}
# pymalloc's own entry points (PyObject_Malloc calls them through a table; inside
# libpython the public names are often bypassed, so they undercount); the public names are
# counted only when a Python has no pymalloc.
PY_ALLOCATORS = {"_PyObject_Malloc", "_PyObject_Calloc", "_PyObject_Realloc"}
PY_ALLOCATORS_PUBLIC = {"PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc"}
DEFAULT_OPS = ("ser_buffer", "de_buffer", "ser_components", "de_components")
# Calls per measured child: enough that the difference dwarfs the noise of a run (a few
# thousand instructions of start-up that differ between runs), few enough for valgrind.
CALLS = {"small": 2000, "arrays": 1000, "sets": 2, "dicts": 2, "big": 1}
WARMUP = 3


def child(case, lib, op, calls, no_pyarrow):
    """Runs in the child: build, warm up, call `calls` times."""
    warnings.filterwarnings("ignore")
    import arrowpack as ap
    pa, _ = bs.load_pyarrow(no_pyarrow)
    makers = {**bs.CASES, **bs.EXTRA_CASES}
    _, build = makers[case](False)
    obj = build()
    fn = bs.make_ops(lib, obj, ap, pa)[op]
    gc.collect()
    gc.disable()
    for _ in range(WARMUP):
        fn()
    for _ in range(calls):
        fn()


def parse_callgrind(path):
    """(total Ir, {called function: calls}) of a callgrind output file."""
    names, calls = {}, {}
    total = 0
    cfn = None
    pending = None
    name_re = re.compile(r"\((\d+)\)(?: (.*))?")
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
            elif line.startswith("cfn="):
                m = name_re.match(line[4:].strip())
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    cfn = names.get(m.group(1))
                else:
                    cfn = line[4:].strip()
            elif line.startswith(("fn=", "cfi=", "cfl=", "fi=", "fe=", "fl=", "ob=", "cob=")):
                if line.startswith("fn="):
                    m = name_re.match(line[3:].strip())
                    if m and m.group(2):
                        names[m.group(1)] = m.group(2)
            elif line.startswith("calls="):
                pending = int(line[6:].split()[0])
                if cfn is not None:
                    base = cfn.split("'")[0]
                    calls[base] = calls.get(base, 0) + pending
    return total, calls


def run_child(args, case, lib, op, calls):
    """(Ir, C allocs, Py allocs) of one child."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
               os.path.abspath(__file__), "--child", case, lib, op, str(calls)]
        if args.no_pyarrow:
            cmd.append("--no-pyarrow")
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{case}/{lib}/{op}: the child failed:\n{r.stderr[-2000:]}")
        total, counted = parse_callgrind(out)
    c = sum(n for name, n in counted.items() if name in C_ALLOCATORS)
    names = PY_ALLOCATORS if any(name in counted for name in PY_ALLOCATORS) else PY_ALLOCATORS_PUBLIC
    py = sum(n for name, n in counted.items() if name in names)
    return total, c, py


def per_call(args, case, lib, op):
    calls = CALLS[case]
    base = run_child(args, case, lib, op, 0)
    full = run_child(args, case, lib, op, calls)
    return {"instructions": (full[0] - base[0]) / calls, "c_allocs": (full[1] - base[1]) / calls,
            "py_allocs": (full[2] - base[2]) / calls, "calls": calls}


def fmt_count(x):
    if x >= 1e9:
        return f"{x / 1e9:.2f} G"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e4:
        return f"{x / 1e3:.1f} k"
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", default="small,arrays", help="cases of bench_serialize.py (small,arrays)")
    p.add_argument("--ops", default=",".join(DEFAULT_OPS), help=f"operations ({','.join(DEFAULT_OPS)})")
    p.add_argument("--no-pyarrow", action="store_true", help="leave pyarrow out")
    p.add_argument("--jobs", type=int, default=2, help="children at once (2)")
    p.add_argument("--json", metavar="PATH", help="also write the numbers to PATH")
    p.add_argument("--child", nargs=4, metavar=("CASE", "LIB", "OP", "CALLS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        case, lib, op, calls = args.child
        child(case, lib, op, int(calls), args.no_pyarrow)
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("bench_counts: valgrind is not installed (apt-get install valgrind)")
    every = {**bs.CASES, **bs.EXTRA_CASES}
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    ops = [o.strip() for o in args.ops.split(",") if o.strip()]
    bad = [c for c in cases if c not in every] + [o for o in ops if o not in bs.OPS]
    if bad:
        sys.exit(f"bench_counts: unknown case or operation {', '.join(bad)}")
    pa, pa_status = bs.load_pyarrow(args.no_pyarrow)
    libs = ["arrowpack", "pickle5"] + (["pyarrow"] if pa is not None else [])
    print(f"per call, under callgrind: instructions | C allocs | Py allocs; ratios other/arrowpack "
          f"(>1: arrowpack does less); {pa_status}")
    jobs = [(c, lib, op) for c in cases for op in ops for lib in libs]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        done = dict(zip(jobs, pool.map(lambda j: per_call(args, *j), jobs)))
    results = {}
    for case in cases:
        print(f"\n== {every[case](False)[0]}")
        head = f"{'op':<16}" + "".join(f"{bs.LIB_TITLES[lib]:>34}" for lib in libs)
        head += "".join(f"{bs.LIB_TITLES[o] + ' / ap':>26}" for o in libs[1:])
        print(head)
        print("-" * len(head))
        for op in ops:
            row = {lib: done[(case, lib, op)] for lib in libs}
            results.setdefault(case, {})[op] = row
            cells = "".join(f"{fmt_count(r['instructions']) + ' | ' + fmt_count(r['c_allocs']) + ' | ' + fmt_count(r['py_allocs']):>34}"
                            for r in row.values())
            mine = row["arrowpack"]["instructions"]
            ratios = "".join(f"{row[o]['instructions'] / mine:>25.2f}x" for o in libs[1:])
            print(f"{op:<16}{cells}{ratios}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"pyarrow": pa_status, "cases": results}, f, indent=1)
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
