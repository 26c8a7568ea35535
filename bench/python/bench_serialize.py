#!/usr/bin/env python3
"""arrowpack's Python serialization against its peers, in one run.

Peers, each through its public API:

  arrowpack  ap.serialize(obj) -> SerializedPyObject; .to_components(); .to_buffer();
             ap.deserialize_components(c); ap.deserialize(buf)
  pickle5    pickle.dumps(obj, protocol=5, buffer_callback=bufs.append) /
             pickle.loads(data, buffers=bufs) (out of band), and plain protocol-5
             pickle.dumps(obj) / pickle.loads(blob) (one contiguous blob)
  pyarrow    pyarrow 11's pa.serialize / pa.deserialize_components / pa.deserialize (removed
             in pyarrow 12: with a newer pyarrow, or none, the column says "unavailable" and
             the rest of the run goes on)

Cases (the issue's four; --quick shrinks the two big ones, see CASES):

  dict of 100 arrays 500x500   {f"key{i}": np.random.randn(500, 500) for i in range(100)}, 200 MB
  list of 5 arrays 10x10       [np.random.randn(10, 10) for _ in range(5)]
  100,000 small dicts          [{"a": i, "b": float(i), "c": "x" * 8, "d": [i, i + 1]} ...]
  one small dict               {"a": 1, "b": 2.5, "c": "text", "d": [1, 2, 3]}

The many-small-objects case. The benchmark of the pyarrow/Ray serialization post (Arrow blog,
2017-10-15) used "a large dictionary of small sets", {i: {"string1" + str(i), "string2" +
str(i)} for i in range(100000)}: 100,000 small containers of strings, no numpy. The records
here keep its count (100,000) and its point (one tiny container per element, no arrays) but
hold one value of each scalar kind an application's small records carry (int, float, str, and
a nested list), so that every per-element path of the encoders (ints, floats, strings, nested
containers, dict keys) is measured, not strings alone. `--cases all` adds the post's own object
as a fifth case ("100,000 small sets (Arrow blog)", `--cases sets`).

Operations (per case, per library; the table's rows):

  ser_oob         serialize to the library's natural out-of-band form: ap.serialize(obj) and
                  pa.serialize(obj) (a SerializedPyObject: the structure is built, arrays are
                  referred to, not copied); pickle5 dumps with buffer_callback (bytes + a list
                  of PickleBuffers viewing the arrays)
  ser_components  the same, then .to_components() (pyarrow's dict of buffers, what a transport
                  sends); for pickle5 the same call as ser_oob (its oob form already is that)
  ser_buffer      to ONE contiguous buffer: ap/pa .serialize(obj).to_buffer(); pickle5 dumps
                  without buffer_callback (arrays copied in band)
  de_components   from the out-of-band form made once beforehand: ap/pa
                  deserialize_components(c); pickle.loads(data, buffers=bufs)
  de_buffer       from the contiguous buffer made once beforehand: ap/pa deserialize(buf),
                  pickle.loads(blob) (ap/pa give arrays that view buf; pickle copies them out)
  rt_components   ser_components + de_components, one after the other
  rt_buffer       ser_buffer + de_buffer

Timing. time.perf_counter_ns around batches of calls. A batch repeats the call `inner` times,
`inner` calibrated so that a batch takes about --batch-ms (1 for the small cases; 1 call for
anything slower), and the per-call time of a batch is its time / inner. Batches of the three
libraries are interleaved (round robin, rotating who goes first), so that the load of a shared
machine falls on all of them alike, and go on until each library has had at least --min-runs
batches AND --min-time seconds (or --max-time passed). Reported per call: the MINIMUM over the
batches (the least disturbed: what to compare on a busy machine) and the median. A call's time
includes freeing what it returned (as in a loop that serializes again and again) and the
Python call of the benchmark's lambda (the "harness" line of the header gives that floor; it is
not subtracted). The garbage collector is off while timing (as timeit does); --gc leaves it
on. Ratios are other_time / arrowpack_time: > 1 means arrowpack is faster.

Correctness is checked once per case, outside the timing: every library's results from both
forms must equal the input (same types, dict keys in order, arrays of the same dtype, shape
and values); arrowpack's contiguous bytes are also compared with pyarrow 11's (the package
promises pyarrow's bytes).

Importing pyarrow changes one thing in arrowpack: to_components() then hands pyarrow.Buffer
objects (pa.py_buffer per buffer), so that the dict can go to pyarrow as it is. --no-pyarrow
leaves pyarrow unimported (arrowpack then returns its own Buffers) to see arrowpack alone.

Only numpy is needed (and pyarrow when present). Run from the repository's root:

  PYTHONPATH=build/python/package .deps/py-legacy/bin/python bench/python/bench_serialize.py
  ... bench_serialize.py --quick                  # a smoke run of a few seconds (CI)
  ... bench_serialize.py --json results.json      # also write every number to a file
"""
import argparse
import gc
import json
import os
import pickle
import platform
import statistics
import sys
import time
import warnings

import numpy as np

perf_counter_ns = time.perf_counter_ns

LIBS = ("arrowpack", "pickle5", "pyarrow")
LIB_TITLES = {"arrowpack": "arrowpack", "pickle5": "pickle5", "pyarrow": "pa.serialize"}
OPS = ("ser_oob", "ser_components", "ser_buffer", "de_components", "de_buffer", "rt_components", "rt_buffer")


# ---- cases

def case_big(quick):
    n, side = (10, 100) if quick else (100, 500)
    rng = np.random.default_rng(0)
    return (f"dict of {n} arrays {side}x{side}",
            lambda: {f"key{i}": rng.standard_normal((side, side)) for i in range(n)})


def case_five_small_arrays(quick):
    rng = np.random.default_rng(1)
    return "list of 5 arrays 10x10", lambda: [rng.standard_normal((10, 10)) for _ in range(5)]


def case_small_dicts(quick):
    n = 10_000 if quick else 100_000
    return (f"{n:,} small dicts",
            lambda: [{"a": i, "b": float(i), "c": "x" * 8, "d": [i, i + 1]} for i in range(n)])


def case_one_small_dict(quick):
    return "one small dict", lambda: {"a": 1, "b": 2.5, "c": "text", "d": [1, 2, 3]}


def case_blog_sets(quick):
    n = 10_000 if quick else 100_000
    return (f"{n:,} small sets (Arrow blog)",
            lambda: {i: {"string1" + str(i), "string2" + str(i)} for i in range(n)})


# Short names for --cases, in the order of the run.
CASES = {"big": case_big, "arrays": case_five_small_arrays, "dicts": case_small_dicts, "small": case_one_small_dict}
EXTRA_CASES = {"sets": case_blog_sets}


# ---- the libraries

def load_pyarrow(disabled):
    """(module or None, a sentence saying which and why)."""
    if disabled:
        return None, "unavailable: --no-pyarrow"
    try:
        from importlib.metadata import PackageNotFoundError, version
        try:
            v = version("pyarrow")
        except PackageNotFoundError:
            return None, "unavailable: pyarrow is not installed"
        try:
            major = int(v.split(".")[0])
        except ValueError:
            major = 0
        if major >= 12:
            # Not imported at all: importing it would change arrowpack's to_components().
            return None, f"unavailable: pyarrow {v} has no serialize (removed in pyarrow 12)"
    except ImportError:
        pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pyarrow as pa
    except ImportError as e:
        return None, f"unavailable: import pyarrow failed ({e})"
    if not all(hasattr(pa, name) for name in ("serialize", "deserialize", "deserialize_components")):
        return None, f"unavailable: pyarrow {pa.__version__} has no serialize"
    return pa, f"pyarrow {pa.__version__}"


def make_ops(lib, obj, ap, pa):
    """{op: callable} for one library, with the inputs of the deserializers made here."""
    if lib in ("arrowpack", "pyarrow"):
        # The same API (pyarrow 11's): serialize, to_components/to_buffer, and the readers.
        m = ap if lib == "arrowpack" else pa
        ser, de, de_c = m.serialize, m.deserialize, m.deserialize_components
        components = ser(obj).to_components()
        buf = ser(obj).to_buffer()
        return {
            "ser_oob": lambda: ser(obj),
            "ser_components": lambda: ser(obj).to_components(),
            "ser_buffer": lambda: ser(obj).to_buffer(),
            "de_components": lambda: de_c(components),
            "de_buffer": lambda: de(buf),
            "rt_components": lambda: de_c(ser(obj).to_components()),
            "rt_buffer": lambda: de(ser(obj).to_buffer()),
        }
    dumps, loads = pickle.dumps, pickle.loads

    def ser_oob():
        bufs = []
        return dumps(obj, protocol=5, buffer_callback=bufs.append), bufs

    data, bufs = ser_oob()
    blob = dumps(obj, protocol=5)

    def rt_oob():
        d, b = ser_oob()
        return loads(d, buffers=b)

    return {
        "ser_oob": ser_oob,
        "ser_components": ser_oob,
        "ser_buffer": lambda: dumps(obj, protocol=5),
        "de_components": lambda: loads(data, buffers=bufs),
        "de_buffer": lambda: loads(blob),
        "rt_components": rt_oob,
        "rt_buffer": lambda: loads(dumps(obj, protocol=5)),
    }


def sizes(lib, obj, ap, pa):
    """Bytes of the out-of-band form (metadata + buffers) and of the contiguous one."""
    if lib == "pickle5":
        bufs = []
        data = pickle.dumps(obj, protocol=5, buffer_callback=bufs.append)
        oob = len(data) + sum(memoryview(b).nbytes for b in bufs)
        return {"oob_bytes": oob, "oob_pieces": 1 + len(bufs), "buffer_bytes": len(pickle.dumps(obj, protocol=5))}
    mod = ap if lib == "arrowpack" else pa
    s = mod.serialize(obj)
    c = s.to_components()
    return {"oob_bytes": sum(memoryview(b).nbytes for b in c["data"]), "oob_pieces": len(c["data"]),
            "buffer_bytes": memoryview(s.to_buffer()).nbytes}


# ---- correctness

def first_difference(a, b, path="obj"):
    """None when `b` equals `a` (same types, dict keys in the same order, arrays of the same
    dtype, shape and values); otherwise where and how they differ."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} became {type(b).__name__}"
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return f"{path}: array {a.dtype}{a.shape} became {b.dtype}{b.shape}"
        return None if np.array_equal(a, b) else f"{path}: array values differ"
    if isinstance(a, dict):
        if len(a) != len(b) or list(a) != list(b):
            return f"{path}: dict keys differ (or their order)"
        for k in a:
            d = first_difference(a[k], b[k], f"{path}[{k!r}]")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} became {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, (set, frozenset)):
        return None if a == b else f"{path}: set differs"
    return None if a == b else f"{path}: {a!r} became {b!r}"


def check_case(obj, ops):
    """{lib: None or the problem} for the two round trips of each library."""
    out = {}
    for lib, fns in ops.items():
        problems = []
        for op in ("rt_components", "rt_buffer"):
            try:
                d = first_difference(obj, fns[op]())
            except Exception as e:  # reported, not fatal: the timing of the others goes on
                d = f"{type(e).__name__}: {e}"
            if d:
                problems.append(f"{op}: {d}")
        out[lib] = "; ".join(problems) or None
    return out


def same_bytes_as_pyarrow(obj, ap, pa):
    a = np.frombuffer(ap.serialize(obj).to_buffer(), dtype=np.uint8)
    b = np.frombuffer(pa.serialize(obj).to_buffer(), dtype=np.uint8)
    return bool(a.shape == b.shape and np.array_equal(a, b))


# ---- timing

def run_batch(fn, inner):
    r = range(inner)
    t0 = perf_counter_ns()
    for _ in r:
        fn()
    return (perf_counter_ns() - t0) / inner


def calibrate(fn, batch_ns, max_inner=1_000_000):
    """How many calls make a batch of about batch_ns (1 for slow calls)."""
    inner = 1
    while True:
        t = run_batch(fn, inner) * inner
        if t >= batch_ns / 4 or inner >= max_inner:
            break
        inner *= 8 if t < batch_ns / 64 else 2
    per_call = t / inner
    return max(1, min(max_inner, int(batch_ns / max(per_call, 1.0))))


def measure(fns, cfg):
    """Interleaved batches of every library's call: {lib: stats}."""
    inner = {lib: calibrate(fn, cfg.batch_ns) for lib, fn in fns.items()}
    samples = {lib: [] for lib in fns}
    spent = {lib: 0.0 for lib in fns}
    libs = list(fns)
    deadline = perf_counter_ns() + cfg.max_ns
    rnd = 0

    def satisfied(lib):
        return len(samples[lib]) >= cfg.min_runs and spent[lib] >= cfg.min_ns

    while not all(satisfied(lib) for lib in libs):
        if rnd >= cfg.min_runs and perf_counter_ns() > deadline:
            break
        order = libs[rnd % len(libs):] + libs[:rnd % len(libs)]
        for lib in order:
            if satisfied(lib) and rnd >= cfg.min_runs:
                continue
            per_call = run_batch(fns[lib], inner[lib])
            samples[lib].append(per_call)
            spent[lib] += per_call * inner[lib]
        rnd += 1
    return {lib: {"min_ns": min(s), "median_ns": statistics.median(s), "batches": len(s),
                  "calls_per_batch": inner[lib], "calls": len(s) * inner[lib]}
            for lib, s in samples.items()}


def harness_floor_ns(cfg):
    noop = lambda: None  # noqa: E731
    inner = calibrate(noop, cfg.batch_ns)
    return min(run_batch(noop, inner) for _ in range(20))


# ---- printing

def fmt_time(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            v = ns / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{ns:.0f} ns"


def fmt_bytes(n):
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def fmt_ratio(other, mine):
    if other is None or mine is None or mine <= 0:
        return "-"
    r = other / mine
    return f"{r:.3g}x" if r < 100 else f"{r:.0f}x"


def print_case(name, result, available, out):
    w_op, w_lib, w_ratio = 15, 24, 18
    print(f"\n== {name}", file=out)
    sz = result["sizes"]
    parts = []
    for lib in LIBS:
        if lib in sz:
            s = sz[lib]
            parts.append(f"{lib}: oob {fmt_bytes(s['oob_bytes'])} in {s['oob_pieces']}, "
                         f"buffer {fmt_bytes(s['buffer_bytes'])}")
    print("   sizes: " + " | ".join(parts), file=out)
    checks = result["correct"]
    status = ", ".join(f"{lib} {'ok' if checks[lib] is None else 'FAILED: ' + checks[lib]}" for lib in checks)
    if result.get("same_bytes_as_pyarrow") is not None:
        status += f"; arrowpack's bytes == pyarrow 11's: {'yes' if result['same_bytes_as_pyarrow'] else 'NO'}"
    print("   check: " + status, file=out)
    line1 = f"{'':<{w_op}}" + "".join(f"{LIB_TITLES[lib]:>{w_lib}}" for lib in LIBS)
    line1 += f"{'pickle5 / ap':>{w_ratio}}{'pa / ap':>{w_ratio}}"
    line2 = f"{'op':<{w_op}}" + f"{'min / median':>{w_lib}}" * len(LIBS) + f"{'min / median':>{w_ratio}}" * 2
    print(line1, file=out)
    print(line2, file=out)
    print("-" * len(line2), file=out)
    for op in OPS:
        row = result["ops"][op]
        cells = []
        for lib in LIBS:
            st = row.get(lib)
            if st is None:
                cells.append(f"{'unavailable' if lib not in available else 'failed':>{w_lib}}")
            else:
                cells.append(f"{fmt_time(st['min_ns']) + ' / ' + fmt_time(st['median_ns']):>{w_lib}}")
        ap_st = row.get("arrowpack")
        for other in ("pickle5", "pyarrow"):
            st = row.get(other)
            if st is None or ap_st is None:
                cells.append(f"{'-':>{w_ratio}}")
            else:
                text = fmt_ratio(st["min_ns"], ap_st["min_ns"]) + " / " + fmt_ratio(st["median_ns"], ap_st["median_ns"])
                cells.append(f"{text:>{w_ratio}}")
        print(f"{op:<{w_op}}" + "".join(cells), file=out)


# ---- main

class Config:
    def __init__(self, args):
        self.min_ns = args.min_time * 1e9
        self.max_ns = args.max_time * 1e9
        self.min_runs = args.min_runs
        self.batch_ns = args.batch_ms * 1e6


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: 10 arrays 100x100 and 10,000 dicts, few repeats (a few seconds)")
    p.add_argument("--json", metavar="PATH", help="also write the results (and the setup) to PATH as JSON")
    p.add_argument("--cases", default="default",
                   help="'default' (the issue's four: big,arrays,dicts,small), 'all' (plus 'sets', the Arrow "
                        "blog's), or some of big, arrays, dicts, small, sets separated by commas")
    p.add_argument("--no-pyarrow", action="store_true", help="leave pyarrow out (and unimported)")
    p.add_argument("--gc", action="store_true", help="keep the garbage collector on while timing")
    p.add_argument("--min-time", type=float, help="seconds of batches per library and operation (0.2; quick 0.01)")
    p.add_argument("--max-time", type=float, help="stop adding batches after this many seconds (5; quick 0.5)")
    p.add_argument("--min-runs", type=int, help="batches per library and operation at least (5; quick 2)")
    p.add_argument("--batch-ms", type=float, help="target duration of one batch in ms (1; quick 0.5)")
    args = p.parse_args(argv)
    defaults = {"min_time": (0.2, 0.01), "max_time": (5.0, 0.5), "min_runs": (5, 2), "batch_ms": (1.0, 0.5)}
    for key, (full, quick) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, quick if args.quick else full)
    cfg = Config(args)

    try:
        import arrowpack as ap
    except ImportError as e:
        sys.exit(f"bench_serialize: cannot import arrowpack ({e}); run with PYTHONPATH=build/python/package")
    pa, pa_status = load_pyarrow(args.no_pyarrow)
    warnings.filterwarnings("ignore", category=FutureWarning)  # pyarrow 11 warns on every serialize call (its ~2 us stays timed)
    available = ["arrowpack", "pickle5"] + (["pyarrow"] if pa is not None else [])

    every = {**CASES, **EXTRA_CASES}
    if args.cases == "default":
        makers = list(CASES.values())
    elif args.cases == "all":
        makers = list(every.values())
    else:
        wanted = [w.strip().lower() for w in args.cases.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in every]
        if unknown or not wanted:
            sys.exit(f"bench_serialize: unknown case {', '.join(unknown) or args.cases!r}; "
                     f"choose among {', '.join(every)}")
        makers = [every[w] for w in wanted]

    ext = getattr(getattr(ap, "_arrowpack", None), "__file__", None)
    setup = {
        "python": sys.version.split()[0], "implementation": platform.python_implementation(),
        "machine": platform.machine(), "cpus": os.cpu_count(), "numpy": np.__version__,
        "arrowpack": getattr(ap, "__version__", "?"), "arrowpack_extension": ext,
        "arrowpack_extension_mtime": (time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(os.path.getmtime(ext)))
                                      if ext and os.path.exists(ext) else None),
        "pyarrow": pa_status, "quick": args.quick, "gc_during_timing": args.gc,
        "min_time_s": args.min_time, "max_time_s": args.max_time, "min_runs": args.min_runs,
        "batch_ms": args.batch_ms,
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    floor = harness_floor_ns(cfg)
    setup["harness_ns_per_call"] = floor
    print(f"arrowpack {setup['arrowpack']} | pickle protocol 5 | {pa_status} | Python {setup['python']} | "
          f"numpy {np.__version__} | {setup['cpus']} CPUs, load {setup['loadavg_start'][0]:.2f}"
          if setup["loadavg_start"] else "")
    print(f"times per call: minimum / median over interleaved batches ({args.min_runs}+ batches, "
          f"{args.min_time:g}+ s per library and op); ratios other/arrowpack on min / on median "
          f"(>1: arrowpack faster); harness {fmt_time(floor)} per call included; GC "
          f"{'on' if args.gc else 'off'} while timing")

    results = {"setup": setup, "cases": {}}
    t_start = perf_counter_ns()
    for maker in makers:
        name, build = maker(args.quick)
        obj = build()
        ops = {"arrowpack": make_ops("arrowpack", obj, ap, pa), "pickle5": make_ops("pickle5", obj, ap, pa)}
        if pa is not None:
            ops["pyarrow"] = make_ops("pyarrow", obj, ap, pa)
        result = {"sizes": {lib: sizes(lib, obj, ap, pa) for lib in ops}, "correct": check_case(obj, ops),
                  "same_bytes_as_pyarrow": same_bytes_as_pyarrow(obj, ap, pa) if pa is not None else None,
                  "ops": {}}
        gc.collect()
        if not args.gc:
            gc.disable()
        try:
            for op in OPS:
                fns = {lib: ops[lib][op] for lib in ops if result["correct"][lib] is None}
                result["ops"][op] = measure(fns, cfg) if fns else {}
        finally:
            gc.enable()
        results["cases"][name] = result
        print_case(name, result, available, sys.stdout)
        sys.stdout.flush()
        del ops, obj
        gc.collect()
    setup["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    setup["wall_s"] = (perf_counter_ns() - t_start) / 1e9
    print(f"\n{setup['wall_s']:.1f} s, load {setup['loadavg_end'][0]:.2f} at the end" if setup["loadavg_end"]
          else "")
    if args.json:
        for case in results["cases"].values():
            for row in case["ops"].values():
                ap_st = row.get("arrowpack")
                row["ratios"] = {other: {"min": row[other]["min_ns"] / ap_st["min_ns"],
                                         "median": row[other]["median_ns"] / ap_st["median_ns"]}
                                 for other in ("pickle5", "pyarrow") if ap_st and other in row}
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
        print(f"results written to {args.json}")
    failed = [n for n, c in results["cases"].items() if any(v is not None for v in c["correct"].values())]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
