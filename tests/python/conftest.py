"""Shared by the pytest suites of tests/python (run by ctest, see tests/CMakeLists.txt).

ctest passes the programs under test and a scratch folder in the environment:
ARROWPACK_CLI (the `arrowpack` tool), ARROWPACK_PYCOMPAT (tests/python/pyarrow_compat.cc)
and ARROWPACK_SCRATCH (a folder under the build directory). Run by hand, the same variables
point pytest at a build: see CONTRIBUTING.md.
"""
import json
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
