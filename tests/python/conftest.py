"""Shared by the pytest suites of tests/python (run by ctest, see tests/CMakeLists.txt).

ctest passes the programs under test and a scratch folder in the environment:
ARROWPACK_CLI (the `arrowpack` tool), ARROWPACK_PYCOMPAT (tests/python/pyarrow_compat.cc)
and ARROWPACK_SCRATCH (a folder under the build directory). Run by hand, the same variables
point pytest at a build: see CONTRIBUTING.md.
"""
import json
import math
import os
import pathlib
import subprocess
import warnings

import pytest

# pa.serialize and friends warn on every call (deprecated since pyarrow 2.0).
warnings.filterwarnings("ignore", category=FutureWarning)


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run these tests through ctest (see CONTRIBUTING.md)", 2)
    return value


@pytest.fixture(scope="session")
def cli():
    return _required_env("ARROWPACK_CLI")


@pytest.fixture(scope="session")
def pycompat():
    return _required_env("ARROWPACK_PYCOMPAT")


@pytest.fixture(scope="session")
def scratch():
    path = pathlib.Path(_required_env("ARROWPACK_SCRATCH"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def run(*args, expect_ok=True):
    """Runs a program under test; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600)
    if expect_ok and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}{proc.stdout}")
    return proc.returncode, proc.stdout, proc.stderr


def run_json(*args):
    return json.loads(run(*args)[1])


def first_difference(got, want, where="$"):
    """The path and the two values where two JSON documents first differ, or None."""
    number = (int, float)
    if isinstance(got, number) and isinstance(want, number) and not isinstance(got, bool) and not isinstance(want, bool):
        # JSON does not tell 16 from 16.0; a tensor's "sum" depends on the summation order
        if where.endswith(".sum"):
            return None if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6) else f"{where}: {got!r} != {want!r}"
        return None if got == want else f"{where}: {got!r} != {want!r}"
    if type(got) is not type(want):
        return f"{where}: {got!r} != {want!r}"
    if isinstance(got, dict):
        if list(got) != list(want) and set(got) != set(want):
            return f"{where}: keys {sorted(got)} != {sorted(want)}"
        for k in want:
            d = first_difference(got[k], want[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(got, list):
        for i, (g, w) in enumerate(zip(got, want)):
            d = first_difference(g, w, f"{where}[{i}]")
            if d:
                return d
        return f"{where}: length {len(got)} != {len(want)}" if len(got) != len(want) else None
    return None if got == want else f"{where}: {got!r} != {want!r}"


def assert_same_json(got, want):
    difference = first_difference(got, want)
    assert difference is None, difference
