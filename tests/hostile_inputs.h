// Hostile inputs, built at run time at any size: each one is an attack an audit of arrowpack
// found (issue #9). tests/hostile_test.cc builds them at full size and checks that reading
// them ends in data or a typed error within the memory bound; tests/fuzz/make_corpus writes
// small ones as regression files for the fuzz targets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "arrowpack/core/api.h"
#include "arrowpack/registry/value.h"

namespace arrowpack::hostile {

// ---- 1. misaligned 8-byte loads from flatbuffer vectors

/// An IPC stream of one utf8_view column whose batch's variadicBufferCounts vector starts so
/// that its int64 elements sit at 4 mod 8 (the verifier only asks for 4).
std::shared_ptr<Buffer> misaligned_variadic_counts();
/// A Tensor message whose strides vector has its int64 elements at 4 mod 8.
std::shared_ptr<Buffer> misaligned_tensor_strides();
/// Where the first element of the patched vector sits in a message of the input above
/// (the byte offset from the flatbuffer's start): the tests check it is 4 mod 8.
std::int64_t misaligned_element_offset(const Buffer& stream_or_tensor, bool tensor);

// ---- 2. allocation before validation

/// A serialized list of `n` Nones (5 bytes each): read as a vector of a large type, its
/// element count times sizeof would ask for far more than the blob.
std::shared_ptr<Buffer> many_nones(std::int64_t n);
/// A transport message header (framing only) announcing one buffer of `claim` bytes, and
/// nothing after it.
std::string components_header(std::int64_t claim);

// ---- 3. amplification

/// A serialized blob of `levels` nested lists, each holding a string of `bytes` bytes, whose
/// string children all share the first one's data buffer.
std::shared_ptr<Buffer> aliased_strings(int levels, std::int64_t bytes);
/// An IPC stream of one batch of `columns` int64 columns whose value buffers all alias one
/// `bytes`-byte region: misaligned (4 mod 8) or, with `big_endian`, in a big-endian schema.
std::shared_ptr<Buffer> aliased_columns(int columns, std::int64_t bytes, bool big_endian);
/// An IPC file whose footer lists `blocks` dictionary blocks that all point at one delta of
/// `bytes` bytes.
std::shared_ptr<Buffer> aliased_footer_blocks(int blocks, std::int64_t bytes);
/// An honest IPC stream: `deltas` one-value dictionary deltas of `value_bytes` bytes each,
/// every one followed by a batch (one index).
std::shared_ptr<Buffer> delta_stream(int deltas, int value_bytes);
/// An honest IPC stream of `batches` batches, each with a dictionary of one new value of
/// `value_bytes` bytes that replaces the last (what a file must merge: unify_dictionaries).
std::shared_ptr<Buffer> replacing_dictionary_stream(int batches, int value_bytes);
/// A Tensor message of shape [2^28, 2^28] with zero strides over 8 bytes of data.
std::shared_ptr<Buffer> zero_stride_tensor();
/// An IPC stream of `messages` ZSTD batches of one int64 column of `values` zeros each (a
/// few hundred bytes that decompress to 8 x values).
std::shared_ptr<Buffer> compression_bombs(int messages, std::int64_t values);
/// A serialized list of two references to one ndarray of `bytes` bytes.
std::shared_ptr<Buffer> repeated_tensor_reference(std::int64_t bytes);

/// An IPC stream of one utf8_view column of `views` views that all cover the same `bytes`
/// bytes of one data buffer (with `junk`, the buffer ends in a byte that is not UTF-8, so it
/// is not valid as a whole).
std::shared_ptr<Buffer> overlapping_string_views(std::int64_t views, std::int64_t bytes, bool junk);

// ---- 4. hash flooding

/// A serialized dict of `n` keys (int, int) tuples that all collide under the old tuple hash
/// ((h ^ x) * 1000003 over identity-hashed ints); `colliding` false gives ordinary keys.
std::shared_ptr<Buffer> tuple_keys(int n, bool colliding);

// ---- 5. depth

/// `depth` lists nested in each other (`dicts`: dicts {"k": ...} instead), innermost 1.
Value nested(int depth, bool dicts);

/// A blob of a list of one string whose string child's field node claims INT64_MAX elements
/// (found by typed_fuzz: the offsets' size, length + 1, overflowed).
std::shared_ptr<Buffer> huge_child_length();

/// A pyarrow.Table blob of `batches` batches of six null-type columns of `rows` rows each:
/// columns that cost no byte per row, read as a vector of six-field records (the reader must
/// check the column types before it sizes or charges anything: rows x sizeof(T) overflows).
std::shared_ptr<Buffer> null_column_table(std::int64_t rows, int batches);

// ---- 9. log injection

/// A serialized object of a type whose name carries ESC, a newline and a NUL.
std::shared_ptr<Buffer> control_bytes_type_name();

}  // namespace arrowpack::hostile
