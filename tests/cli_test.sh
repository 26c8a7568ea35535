#!/usr/bin/env bash
# The CLI's contract: output on success; on failure exactly one line on stderr and a
# non-zero exit; conversions detect stream vs file from the magic.
set -uo pipefail
cli=$1 shared=$2 out=$3
mkdir -p "$out"
fail() { echo "FAIL: $*"; exit 1; }

expect_error() {  # expect_error CODE ARGS... : exit code CODE and one stderr line
  local code=$1; shift
  local err rc
  err=$("$cli" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "'$*' printed more than one stderr line: $err"
  echo "ok   '$*' -> $err"
}

expect_error 1 cat "$out/does-not-exist.arrow"
expect_error 1 validate "$shared/gold/malformed/schema_v6.arrow"
head -c 300 "$shared/gold/integration/1.0.0-littleendian/generated_decimal.stream" > "$out/truncated.arrows"
expect_error 1 cat --json "$out/truncated.arrows"
printf 'ARROW1\0\0garbage' > "$out/bad.arrow"
expect_error 1 validate "$out/bad.arrow"
expect_error 1 file-to-stream "$shared/gold/arrow-cpp/seed.arrows" "$out/x.arrows"
"$cli" bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "an unknown command must exit 2"

"$cli" validate "$shared/gold/arrow-cpp/seed.arrow" | grep -q "OK: IPC file, 3 fields, 10 batches, 40 rows" ||
  fail "validate of the Arrow C++ seed file"
"$cli" cat "$shared/gold/arrow-cpp/seed.arrows" | grep -q 'f1: \["foo","bar","baz",null\]' || fail "cat"
"$cli" file-to-stream "$shared/gold/arrow-cpp/seed.arrow" "$out/seed.arrows" || fail "file-to-stream"
"$cli" stream-to-file "$out/seed.arrows" "$out/seed.arrow" || fail "stream-to-file"
"$cli" validate "$out/seed.arrow" | grep -q "10 batches, 40 rows" || fail "round trip through both conversions"
"$cli" cat --json - < "$shared/gold/arrow-cpp/seed.arrows" | grep -q '"format":"stream"' || fail "reading stdin"
# inspect: serialized blobs (the registry's to_buffer form); cat: files of Tensor messages.
expect_error 1 inspect "$shared/gold/arrow-cpp/seed.arrows"
"$cli" cat "$shared/gold/tensors/three_tensors.bin" | grep -q "tensor 2: arrowpack.Tensor<uint32>(shape=\[2, 1, 2\]" ||
  fail "cat of a tensor file"
"$cli" cat --json "$shared/gold/tensors/f16_2x2.bin" |
  grep -qF '{"tensors":[{"dtype":"float16","shape":[2,2],"values":[1,2,-0.5,65504]}]}' || fail "cat --json of a tensor file"
echo "cli: all checks passed"
