// Arrow arrays, record batches and tables inside serialized objects, the way pyarrow's
// default serialization context stored them (pyarrow/serialization.py, 1.0 to 11): a
// registered object {"data": <buffer holding an IPC stream>, "_pytype_": <name>}, where the
// stream holds the table's batches, the one batch, or a batch of one column named "" that
// is the array.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/registry/object_reader.h"
#include "arrowpack/registry/object_writer.h"
#include "arrowpack/registry/value.h"

namespace arrowpack::arrow_objects {

/// The registered names pyarrow used (the "_pytype_" of each form).
inline constexpr std::string_view kArrayType = "pyarrow.Array";
inline constexpr std::string_view kRecordBatchType = "pyarrow.RecordBatch";
inline constexpr std::string_view kTableType = "pyarrow.Table";

/// The registered-object dict of each form, its IPC stream written into a new buffer from
/// `pool` (the columns are copied once, into the stream). IOError/Invalid from the writer.
/// Thread-safe (no shared state). Errors: also NotImplemented for a column type the IPC
/// format cannot carry; OutOfMemory or CapacityError when `pool` cannot hold the stream.
Result<Value> table_value(const Table& table, MemoryPool* pool = default_memory_pool());
/// The errors of table_value().
Result<Value> record_batch_value(const RecordBatch& batch, MemoryPool* pool = default_memory_pool());
/// Errors: Invalid for an empty array (no data); those of table_value().
Result<Value> array_value(const Array& array, MemoryPool* pool = default_memory_pool());

/// The registered-object dict of a table whose IPC stream is `stream` (shared, not copied):
/// {"data": stream, "_pytype_": "pyarrow.Table"}, in pyarrow's key order. write_table_object()
/// writes the same into an open ObjectWriter (the streaming path); its Status is the writer's.
Value table_object(std::shared_ptr<Buffer> stream);
/// Errors: those of ObjectWriter::begin_dict(), string(), buffer() (Invalid for a null
/// `stream`) and end().
Status write_table_object(ObjectWriter& writer, std::shared_ptr<Buffer> stream);

/// For writers that lay out the one batch of a table themselves (adapters/columnar.h): a new
/// buffer from `pool` holding a whole IPC stream, namely the framed `schema_metadata` (what
/// ipc::schema_metadata() gives), one RecordBatch message of `num_rows` rows with these field
/// nodes and body buffers (IPC order, offsets from the start of the body, each a multiple of
/// 8), and the end-of-stream marker. `body` points at the body, `body_length` bytes of which
/// the caller writes each buffer at its offset; the bytes between one buffer's end and the
/// next one's offset are already zero. read_table() reads the stream back (and validates it).
/// Invalid for a negative row count, a field node whose length or null count is negative
/// (or whose null count exceeds its length), a body length or buffer offset that is not a
/// multiple of 8, or a buffer outside the body; CapacityError for
/// metadata too large to frame; OutOfMemory from the pool. Thread-safe (the metadata comes
/// from ipc::record_batch_metadata(), whose state is per thread). BatchStream is what both
/// give: the new buffer, and where its body starts.
struct BatchStream {
  std::shared_ptr<MutableBuffer> stream;
  std::uint8_t* body = nullptr;
};
/// The whole stream of one batch, as described above. Errors: Invalid, CapacityError or
/// OutOfMemory, as described above.
Result<BatchStream> batch_stream(const Buffer& schema_metadata, std::int64_t num_rows,
                                 std::span<const ipc::FieldNodeLayout> nodes,
                                 std::span<const ipc::BodyBufferLayout> buffers, std::int64_t body_length,
                                 MemoryPool* pool = default_memory_pool());
/// The same without the schema and the end-of-stream marker: one framed RecordBatch message
/// and its body, which is what a stream carries for each batch after its schema message
/// (adapters/row_stream.h writes one per batch of rows). Same checks, errors and threading:
/// the errors of batch_stream().
Result<BatchStream> batch_message(std::int64_t num_rows, std::span<const ipc::FieldNodeLayout> nodes,
                                  std::span<const ipc::BodyBufferLayout> buffers, std::int64_t body_length,
                                  MemoryPool* pool = default_memory_pool());

/// Reads the IPC stream of a registered object's "data" buffer. Zero-copy: the columns are
/// slices of `stream` (and keep it alive), unless a body is misaligned, compressed or
/// big-endian, which the IPC reader copies within `limits`. Every batch is validated in
/// full. Invalid when the stream is malformed (or `stream` is null); CapacityError past
/// `limits`; NotImplemented for what the IPC reader does not read (a metadata version before
/// V4, an unknown compression); TypeError when it does not hold the form asked for (one batch
/// for a record batch; one batch of one column for an array).
Result<TablePtr> read_table(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits = {});
/// Errors: TypeError when the stream holds other than one batch; those of read_table().
Result<RecordBatchPtr> read_record_batch(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits = {});
/// Errors: TypeError when the one batch has other than one column; those of
/// read_record_batch().
Result<Array> read_array(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits = {});

/// The registered names of pandas objects in pyarrow's default context.
inline constexpr std::string_view kPandasFrameType = "pd.DataFrame";
inline constexpr std::string_view kPandasSeriesType = "pd.Series";

/// A pandas DataFrame (or Series, a frame of one column) as pyarrow's default context stored
/// it (pandas_compat.dataframe_to_serialized_dict: its blocks, each a 2-D ndarray of one row
/// per column, and its axes) as a Table of one batch, one column per frame column in frame
/// order, named by position ("0", "1", ...): the names and the row index are pickled pandas
/// Index objects, which arrowpack never unpickles.
///
/// Blocks of integers and floats become columns that are slices of the block's memory (no
/// copy) when the block is row-major, as pandas keeps them; a column-major block is copied.
/// datetime64 blocks become timestamp columns (with the block's time zone, if any) whose
/// NaT values are nulls (a validity bitmap is allocated; the values are not copied); bool
/// blocks are packed into bits (a copy). Copies are charged to the cursor's budget.
///
/// TypeError, naming the columns, for blocks that hold Python objects (strings, mixed:
/// pickled by pyarrow), categoricals (their categories are a pickled Index) and dtypes
/// arrowpack does not map; SerializationError for blocks inconsistent with each other;
/// TypeError when `object` is not a pd.DataFrame or pd.Series.
Result<TablePtr> read_pandas_frame(const ObjectReader::Cursor& object);

}  // namespace arrowpack::arrow_objects
