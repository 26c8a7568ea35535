#!/usr/bin/env bash
# Installs what arrowpack needs on Debian 12, if missing: the Debian packages (build,
# tests, benchmarks and their peers cereal, mimalloc and jemalloc, clang with its sanitizer
# runtime for the fuzz targets, clang-format), msgpack-cxx's headers into .deps/msgpack-cxx,
# Arrow JS from npm into .deps/arrowjs (for the interop tests), and two Python virtual
# environments from the Python package index for the pytest suites of tests/python:
# .deps/py-legacy (pyarrow 11.0.0, the last with pa.serialize, numpy < 2, pandas, scipy) and
# .deps/py (a current pyarrow).
# Idempotent: a second run installs nothing. Uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(build-essential cmake pkg-config clang libclang-rt-14-dev clang-format libflatbuffers-dev flatbuffers-compiler libboost1.81-dev
          libeigen3-dev catch2 liblz4-dev libzstd-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev libzmq3-dev cppzmq-dev libcereal-dev libmimalloc-dev libjemalloc-dev nodejs npm
          python3 python3-venv python3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Node.js from another source (nodesource) also provides node and npm; a Python from
# elsewhere (pyenv) provides python3 with venv, and its headers (Python.h, for the Python
# package's extension module) when they are beside it.
drop() {
  local keep=() m
  for m in "${missing[@]}"; do [ "$m" = "$1" ] || keep+=("$m"); done
  missing=("${keep[@]}")
}
if command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  drop python3-venv
  drop python3
  if [ -f "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ]; then
    drop python3-dev
  fi
fi
if command -v node >/dev/null && command -v npm >/dev/null; then
  drop nodejs
  drop npm
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "install-deps: apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# msgpack-cxx, a peer of the object benchmarks (bench/): header-only, but Debian's package
# depends on Boost 1.74 where arrowpack uses 1.81, so its headers are unpacked into
# .deps/msgpack-cxx without installing the package (the benchmarks use MSGPACK_NO_BOOST).
msgpack=.deps/msgpack-cxx
if [ ! -f "$msgpack/usr/include/msgpack.hpp" ]; then
  echo "install-deps: unpack libmsgpack-cxx-dev's headers into $msgpack"
  rm -rf "$msgpack" && mkdir -p "$msgpack"
  (cd "$msgpack" && apt-get download -qq libmsgpack-cxx-dev 2>/dev/null && dpkg -x libmsgpack-cxx-dev_*.deb . && rm -f ./*.deb)
fi

arrowjs=.deps/arrowjs
if [ ! -f "$arrowjs/node_modules/apache-arrow/package.json" ] ||
   ! grep -q '"version": "21.2.0"' "$arrowjs/node_modules/apache-arrow/package.json"; then
  echo "install-deps: npm install apache-arrow@21.2.0 lz4js@0.2.0 fzstd@0.1.1 into $arrowjs"
  mkdir -p "$arrowjs"
  npm install --silent --no-audit --no-fund --prefix "$arrowjs" apache-arrow@21.2.0 lz4js@0.2.0 fzstd@0.1.1
fi

# Python: each environment is (re)made when its stamp does not list exactly these pins.
# pyarrow 11.0.0 has wheels for CPython 3.7 to 3.11 only: on a newer python3 the legacy
# environment is left out (its tests are then listed as skipped), with a message.
make_venv() {
  local dir=$1 python=$2
  shift 2
  local want="$*"
  if [ -f "$dir/arrowpack-pins" ] && [ "$(cat "$dir/arrowpack-pins")" = "$want" ]; then return 0; fi
  echo "install-deps: python venv $dir: $want"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$want" > "$dir/arrowpack-pins"
}
make_venv .deps/py python3 'pyarrow==26.0.1' 'numpy==2.4.6' 'pytest==9.2.0' 'nanoarrow==0.9.0' 'nanobind==3.1.0' 'polars==2.1.0' 'duckdb==2.0.1' 'pyzmq==27.3.0'
legacy_python=""
for p in python3.11 python3.10 python3.9 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(not (3, 7) <= sys.version_info[:2] <= (3, 11))'; then
    legacy_python=$p
    break
  fi
done
if [ -n "$legacy_python" ]; then
  make_venv .deps/py-legacy "$legacy_python" 'pyarrow==11.0.0' 'numpy==1.26.4' 'pandas==1.5.3' 'scipy==1.10.1' \
    'python-dateutil==2.9.0.post0' 'pytest==9.2.0'
else
  echo "install-deps: no Python 3.7-3.11 here (pyarrow 11 has no wheel for $(python3 --version)): the pyarrow 11 tests are skipped"
fi
