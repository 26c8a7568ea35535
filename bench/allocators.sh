#!/usr/bin/env bash
# The allocator study of issue #11: serialize_bench (without its malloc counter) and ipc_bench
# run under glibc's malloc, then mimalloc and jemalloc through LD_PRELOAD (Debian's
# libmimalloc2.0 and libjemalloc2, installed by tools/dev/install-deps.sh). Each run prints
# its own summary, peers included, so every ratio is taken within one allocator's run.
#
#   bench/allocators.sh [BUILD_DIR] [benchmark filter]     (default: build, every workload)
set -euo pipefail
build=${1:-build}
filter=${2:-.}
lib=/usr/lib/x86_64-linux-gnu
declare -A preload=([glibc]="" [mimalloc]="$lib/libmimalloc.so.2" [jemalloc]="$lib/libjemalloc.so.2")
for name in glibc mimalloc jemalloc; do
  so=${preload[$name]}
  if [ -n "$so" ] && [ ! -e "$so" ]; then
    echo "== $name: $so not found, skipped"
    continue
  fi
  echo "== $name"
  LD_PRELOAD="$so" "$build/bench/serialize_bench_uncounted" --benchmark_filter="$filter" 2>/dev/null |
    sed -n '/^Summary/,$p'
  LD_PRELOAD="$so" "$build/bench/ipc_bench" --benchmark_filter='Seed|BigFile' --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true 2>/dev/null | sed -n '/^Summary/,$p'
done
