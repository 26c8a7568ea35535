#!/usr/bin/env bash
# Installs what arrowpack needs on Debian 12, if missing: the Debian packages (build,
# tests, benchmarks, clang with its sanitizer runtime for the fuzz targets, clang-format) and Arrow JS from npm into .deps/arrowjs (for the interop tests).
# Idempotent: a second run installs nothing. Uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(build-essential cmake pkg-config clang libclang-rt-14-dev clang-format libflatbuffers-dev flatbuffers-compiler libboost1.81-dev
          libeigen3-dev catch2 liblz4-dev libzstd-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev libzmq3-dev cppzmq-dev nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Node.js from another source (nodesource) also provides node and npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "install-deps: apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

arrowjs=.deps/arrowjs
if [ ! -f "$arrowjs/node_modules/apache-arrow/package.json" ] ||
   ! grep -q '"version": "21.2.0"' "$arrowjs/node_modules/apache-arrow/package.json"; then
  echo "install-deps: npm install apache-arrow@21.2.0 lz4js@0.2.0 fzstd@0.1.1 into $arrowjs"
  mkdir -p "$arrowjs"
  npm install --silent --no-audit --no-fund --prefix "$arrowjs" apache-arrow@21.2.0 lz4js@0.2.0 fzstd@0.1.1
fi
