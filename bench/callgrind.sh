#!/usr/bin/env bash
# Instructions per operation of serialize_bench's operations, counted by callgrind: two runs
# of each (N and 2N operations), so that setup cancels out of the difference.
#   bench/callgrind.sh build [N] [OPERATION...]     (default N=200, every W4 and W2 operation)
set -euo pipefail
build=${1:?usage: bench/callgrind.sh BUILD_DIR [N] [OPERATION...]}
n=${2:-200}
shift $(( $# >= 2 ? 2 : 1 ))
ops=("$@")
[ ${#ops[@]} -gt 0 ] || ops=(W4/arrowpack/to_buffer W4/arrowpack/components W4/cereal W4/msgpack
                              W2/arrowpack/to_buffer W2/arrowpack/components_views W2/cereal W2/msgpack)
bin=$build/bench/serialize_bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total() {  # instructions of one run of $1 operations of $2
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" --count "$2" "$1" > /dev/null 2>&1
  awk '/^summary:/ { print $2; exit }' "$out/cg"
}
for op in "${ops[@]}"; do
  a=$(total "$n" "$op")
  b=$(total "$((2 * n))" "$op")
  printf '%-36s %12d instructions per operation\n' "$op" $(( (b - a) / n ))
done
