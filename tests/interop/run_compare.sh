#!/usr/bin/env bash
# run_compare.sh NODE COMPARE.mjs [args...] --glob DIR: runs the comparison on every
# *.arrow / *.arrows file of DIR (the list is only known once the writer has run).
set -euo pipefail
node=$1 script=$2
shift 2
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = --glob ]; then
    shopt -s nullglob
    files=("$2"/*.arrows "$2"/*.arrow)
    [ ${#files[@]} -gt 0 ] || { echo "no IPC files in $2" >&2; exit 1; }
    args+=("${files[@]}")
    shift 2
  else
    args+=("$1")
    shift
  fi
done
exec "$node" "$script" "${args[@]}"
