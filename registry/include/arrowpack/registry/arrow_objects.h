// Arrow arrays, record batches and tables inside serialized objects, the way pyarrow's
// default serialization context stored them (pyarrow/serialization.py, 1.0 to 11): a
// registered object {"data": <buffer holding an IPC stream>, "_pytype_": <name>}, where the
// stream holds the table's batches, the one batch, or a batch of one column named "" that
// is the array.
#pragma once

#include <memory>
#include <string_view>

#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/registry/object_reader.h"
#include "arrowpack/registry/value.h"

namespace arrowpack::arrow_objects {

/// The registered names pyarrow used (the "_pytype_" of each form).
inline constexpr std::string_view kArrayType = "pyarrow.Array";
inline constexpr std::string_view kRecordBatchType = "pyarrow.RecordBatch";
inline constexpr std::string_view kTableType = "pyarrow.Table";

/// The registered-object dict of each form, its IPC stream written into a new buffer from
/// `pool` (the columns are copied once, into the stream). IOError/Invalid from the writer.
/// Thread-safe (no shared state).
Result<Value> table_value(const Table& table, MemoryPool* pool = default_memory_pool());
Result<Value> record_batch_value(const RecordBatch& batch, MemoryPool* pool = default_memory_pool());
Result<Value> array_value(const Array& array, MemoryPool* pool = default_memory_pool());

/// Reads the IPC stream of a registered object's "data" buffer. Zero-copy: the columns are
/// slices of `stream` (and keep it alive), unless a body is misaligned, compressed or
/// big-endian, which the IPC reader copies within `limits`. Every batch is validated in
/// full. Invalid / SerializationError when the stream is malformed; TypeError when it does
/// not hold the form asked for (one batch for a record batch; one batch of one column for
/// an array).
Result<TablePtr> read_table(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits = {});
Result<RecordBatchPtr> read_record_batch(const std::shared_ptr<Buffer>& stream, const ReadLimits& limits = {});
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
