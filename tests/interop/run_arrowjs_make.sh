#!/usr/bin/env bash
# run_arrowjs_make.sh NODE ARROW-MAKE.mjs OUTDIR COMPARE.mjs [compare args...]:
# Arrow JS writes its reference files into OUTDIR, then arrowpack reads every one of them;
# `cat --json` must equal the <name>.json Arrow JS wrote beside each file (compared by the
# comparison script, which also checks arrowpack's rewrite of each).
set -euo pipefail
node=$1 make=$2 out=$3 compare=$4
shift 4
rm -rf "$out"
mkdir -p "$out"
"$node" "$make" "$out" >/dev/null
shopt -s nullglob
files=("$out"/*.arrows "$out"/*.arrow)
[ ${#files[@]} -gt 0 ] || { echo "arrow-make.mjs wrote no files into $out" >&2; exit 1; }
exec "$node" "$compare" --expected-json "$@" "${files[@]}"
