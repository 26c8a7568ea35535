// Row streams: records of one type sent one batch after another (to a file, a socket, a pipe)
// as one Arrow IPC stream, so that the schema travels once and each batch carries only its
// record batch message and its columns.
//
//   struct Tick { std::string symbol; double bid, ask; std::int64_t time; };
//   auto writer = ap::RowStreamWriter<Tick>::open(sink).value_or_throw();  // the schema
//   writer.write(tick);                          // one batch of one row
//   writer.write(std::span<const Tick>(ticks));  // one batch of many
//   writer.close();                              // the end-of-stream marker
//
// Each batch costs its record batch message: 16 bytes per column and per buffer of metadata
// (a W4 record {name, a, b, c, d, id} of 6 columns and 13 buffers: 408 bytes beside its 48
// bytes of values, 456 in all). RowStreamOptions::rows_per_batch gathers that many rows
// written one at a time into one batch (4: 154 bytes per W4 object), for a sender that can
// wait for them; flush() sends what is gathered.
//
//   auto reader = ap::RowStreamReader<Tick>::open(source).value_or_throw();
//   while (auto rows = reader.read_next_batch().value_or_throw()) use(*rows);  // nullopt at the end
//
// The columns are those of the columnar form (adapters/columnar.h): one per field, in field
// order, named by column_names<T>. Text columns are `string` (32-bit offsets): a batch with
// more than 2^31 - 1 bytes of text in one column is refused; write fewer rows per batch.
// Any Arrow reader reads the stream as a table (pyarrow.ipc.open_stream(...).read_all()),
// and RowStreamReader<T> reads any IPC stream whose columns match T, such as one that
// pyarrow's ipc.new_stream writes. The byte layout is in registry/FORMAT.md (Row streams).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "arrowpack/adapters/columnar.h"
#include "arrowpack/core/builder.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/message.h"
#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/read_limits.h"

namespace arrowpack {

/// How a RowStreamWriter batches rows written one at a time.
struct RowStreamOptions {
  /// Rows that write(const T&) gathers before they go as one batch (at least 1). 1 sends
  /// each row at once; more trade latency for bytes (see the top of this file).
  std::int64_t rows_per_batch = 1;
  /// Where the batches' buffers come from; it must outlive the writer.
  MemoryPool* pool = default_memory_pool();
};

/// Writes rows of type T to a sink as one Arrow IPC stream (see the top of this file).
/// Movable (a moved-from writer refuses every call with Invalid), not copyable; not
/// thread-safe. The sink is shared with the caller, who closes it. Once the sink has failed,
/// every later call returns that error: the stream is no longer whole.
template <ColumnarRow T>
class RowStreamWriter {
 public:
  /// A writer that has written T's schema message to `sink`. Invalid for a null sink or pool,
  /// or rows_per_batch < 1; CapacityError or OutOfMemory when the schema cannot be made; the
  /// sink's error when it cannot be written.
  static Result<RowStreamWriter> open(std::shared_ptr<io::OutputStream> sink, const RowStreamOptions& options = {}) {
    if (sink == nullptr) return Status::Invalid("a row stream needs a sink");
    if (options.rows_per_batch < 1 || options.pool == nullptr) {
      return Status::Invalid("a row stream of ", options.rows_per_batch, " rows per batch (at least 1, and a pool)");
    }
    return catch_exceptions("opening a row stream writer", [&]() -> Result<RowStreamWriter> {
      ARROWPACK_ASSIGN_OR_RAISE(auto schema_meta, detail::narrow_schema_metadata<T>());
      RowStreamWriter w(std::move(sink), options);
      ARROWPACK_ASSIGN_OR_RAISE(const std::int64_t framed, ipc::framed_message_size(schema_meta->size()));
      ARROWPACK_ASSIGN_OR_RAISE(auto message, allocate_buffer(framed, options.pool));
      ipc::frame_message({schema_meta->data(), static_cast<std::size_t>(schema_meta->size())}, message->mutable_data());
      ARROWPACK_RETURN_NOT_OK(w.put(message));
      return w;
    });
  }

  RowStreamWriter(RowStreamWriter&&) noexcept = default;
  RowStreamWriter& operator=(RowStreamWriter&&) noexcept = default;

  /// Writes the gathered rows (if any) as one batch, then `rows` as one record batch (an
  /// empty span writes a batch of no rows). Invalid for text that is not UTF-8 (naming the
  /// column and the row within its batch), after close() and on a moved-from writer;
  /// CapacityError for more than 2^31 - 1 bytes of text in one column of a batch;
  /// OutOfMemory from the pool (or for an exception thrown while writing); the sink's error.
  /// When the gathered rows are refused they are dropped and `rows` is not written; a batch
  /// refused before it reaches the sink leaves the stream whole.
  Status write(std::span<const T> rows) {
    ARROWPACK_RETURN_NOT_OK(usable("written"));
    ARROWPACK_RETURN_NOT_OK(send_gathered());
    return send(rows);
  }
  /// Gathers `row` (a copy); when rows_per_batch rows are gathered they go as one batch (at
  /// once, by default). The errors of write(std::span) when a batch goes: text is checked
  /// then, so a refused batch drops the rows gathered with it (the error names the row
  /// within the batch).
  Status write(const T& row) {
    ARROWPACK_RETURN_NOT_OK(usable("written"));
    if (rows_per_batch_ == 1) return send(std::span<const T>(&row, 1));
    ARROWPACK_RETURN_NOT_OK(catch_exceptions("gathering a row of a row stream", [&] {
      gathered_.push_back(row);
      return Status::OK();
    }));
    if (static_cast<std::int64_t>(gathered_.size()) < rows_per_batch_) return Status::OK();
    return send_gathered();
  }

  /// Sends the gathered rows as one batch (nothing when none are), then flushes the sink.
  /// The errors of write(std::span), and the sink's.
  Status flush() {
    ARROWPACK_RETURN_NOT_OK(usable("flushed"));
    ARROWPACK_RETURN_NOT_OK(send_gathered());
    return sink_status(sink_->flush());
  }

  /// Sends the gathered rows, writes the end-of-stream marker and flushes the sink, once
  /// (later calls return what the first did, when the sink failed, or OK). The errors of write(std::span), and the
  /// sink's. The sink stays open. A writer destroyed without close() drops the gathered rows and leaves a stream
  /// without the marker, which readers take as ended after the last whole batch.
  Status close() {
    if (closed_) return broken_;  // OK, or the sink's error that the marker met
    ARROWPACK_RETURN_NOT_OK(usable("closed"));
    ARROWPACK_RETURN_NOT_OK(send_gathered());
    closed_ = true;  // a failure below is the sink's, kept in broken_
    std::uint8_t marker[ipc::kEndOfStreamBytes];
    ipc::end_of_stream_marker(marker);
    ARROWPACK_RETURN_NOT_OK(sink_status(sink_->write(marker, ipc::kEndOfStreamBytes)));
    bytes_ += ipc::kEndOfStreamBytes;
    return sink_status(sink_->flush());
  }

  /// Bytes written to the sink so far: the schema message, the batches, the marker.
  std::int64_t bytes_written() const { return bytes_; }
  /// Record batches written so far.
  std::int64_t batches_written() const { return batches_; }

 private:
  RowStreamWriter(std::shared_ptr<io::OutputStream> sink, const RowStreamOptions& options)
      : sink_(std::move(sink)), pool_(options.pool), rows_per_batch_(options.rows_per_batch) {}

  Status usable(const char* verb) const {
    if (sink_ == nullptr) return Status::Invalid("a moved-from row stream writer ", verb);
    if (!broken_.ok()) return broken_;
    if (closed_) return Status::Invalid("a row stream ", verb, " after close()");
    return Status::OK();
  }
  // Keeps the first error of the sink: the stream may hold part of a message.
  Status sink_status(Status st) {
    if (!st.ok() && broken_.ok()) broken_ = st.with_context("the sink of a row stream failed");
    return st;
  }

  // `rows` as one batch.
  Status send(std::span<const T> rows) {
    return catch_exceptions("writing rows to a row stream", [&]() -> Status {
      auto make = [&](const detail::ColumnPlan& plan, std::int64_t n) -> Result<arrow_objects::BatchStream> {
        for (std::size_t k = 0; k < plan.wide.size(); ++k) {
          if (plan.wide[k]) {
            return Status::CapacityError(
                "a batch of ", n, " rows with more than 2^31 - 1 bytes of text in text column ", k,
                " of a row stream (its schema has 32-bit offsets): write fewer rows per batch");
          }
        }
        return arrow_objects::batch_message(n, plan.nodes, plan.buffers, plan.body_length, pool_);
      };
      ARROWPACK_ASSIGN_OR_RAISE(auto message, detail::write_rows<T>(rows, make, plan_));
      ARROWPACK_RETURN_NOT_OK(put(message));
      ++batches_;
      return Status::OK();
    });
  }
  Status send_gathered() {
    if (gathered_.empty()) return Status::OK();
    Status st = send(gathered_);
    gathered_.clear();
    return st;
  }
  Status put(const std::shared_ptr<Buffer>& bytes) {
    ARROWPACK_RETURN_NOT_OK(sink_status(sink_->write(bytes)));
    bytes_ += bytes->size();
    return Status::OK();
  }

  std::shared_ptr<io::OutputStream> sink_;
  MemoryPool* pool_;
  std::int64_t rows_per_batch_;
  std::vector<T> gathered_;
  detail::ColumnPlan plan_;  // kept between batches for its capacity
  Status broken_;            // the sink's first error
  std::int64_t bytes_ = 0;
  std::int64_t batches_ = 0;
  bool closed_ = false;
};

/// Reads rows of type T from an Arrow IPC stream, one batch at a time (see the top of this
/// file). Movable (a moved-from reader refuses every call with Invalid), not copyable; not
/// thread-safe. Every batch is validated in full (unless options.validation says otherwise)
/// and its columns are checked against T before any row is made. The rows are charged to
/// the decoded-bytes budget of options.limits (ReadLimits): those of one read_next_batch()
/// against the bytes of that batch, those of one read_all() against all it reads (bytes
/// counted by the source's tell(); when it fails, the allowance alone). Text is copied into
/// the rows' strings (at most the bytes read). After an error, every later call returns it.
template <ColumnarRow T>
class RowStreamReader {
 public:
  /// A reader that has read the schema message of `source` and checked its columns against
  /// T. Invalid for a null source; the errors of ipc::StreamReader::open(); TypeError when
  /// the column count is not T's field count or a column's type does not match its field
  /// (naming the column); OutOfMemory for an exception thrown while opening.
  static Result<RowStreamReader> open(std::shared_ptr<io::InputStream> source,
                                      const ipc::IpcReadOptions& options = {}) {
    if (source == nullptr) return Status::Invalid("a row stream needs a source");
    return catch_exceptions("opening a row stream reader", [&]() -> Result<RowStreamReader> {
      auto start = source->tell();
      ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::StreamReader::open(source, options));
      ARROWPACK_RETURN_NOT_OK(check_schema(reader->schema()).with_context("a row stream"));
      return RowStreamReader(std::move(source), std::move(reader), options.limits, start.ok() ? *start : 0);
    });
  }
  /// Reads a stream held in `buffer` (shared, not copied; the rows copy their text and need
  /// not outlive it). Invalid for a null buffer; the errors of open(InputStream).
  static Result<RowStreamReader> open(std::shared_ptr<Buffer> buffer, const ipc::IpcReadOptions& options = {}) {
    if (buffer == nullptr) return Status::Invalid("a row stream needs a buffer");
    return catch_exceptions("opening a row stream reader", [&]() -> Result<RowStreamReader> {
      return open(std::make_shared<io::BufferReader>(std::move(buffer)), options);
    });
  }

  RowStreamReader(RowStreamReader&&) noexcept = default;
  RowStreamReader& operator=(RowStreamReader&&) noexcept = default;

  /// The rows of the next batch; std::nullopt at the end of the stream (the end-of-stream
  /// marker, or the source's end after a whole batch). The errors of
  /// ipc::StreamReader::read_next_batch(); TypeError for a column whose type does not match
  /// its field, or a null in a field that is not std::optional (naming the batch, the column
  /// and the row); CapacityError beyond the decoded-bytes budget; OutOfMemory for an
  /// exception thrown while reading; Invalid on a moved-from reader.
  Result<std::optional<std::vector<T>>> read_next_batch() {
    return sticky([&]() -> Result<std::optional<std::vector<T>>> {
      ReadBudget budget(limits_);  // this batch's rows, against its bytes
      std::vector<T> rows;
      ARROWPACK_ASSIGN_OR_RAISE(const bool more, read_into(rows, budget));
      if (!more) return std::optional<std::vector<T>>();
      return std::optional<std::vector<T>>(std::move(rows));
    });
  }

  /// Every remaining row, in order (batch after batch until the end), charged together. The
  /// errors of read_next_batch().
  Result<std::vector<T>> read_all() {
    return sticky([&]() -> Result<std::vector<T>> {
      ReadBudget budget(limits_);
      std::vector<T> rows;
      while (true) {
        ARROWPACK_ASSIGN_OR_RAISE(const bool more, read_into(rows, budget));
        if (!more) return rows;
      }
    });
  }

  /// The stream's schema (shared with the underlying IPC reader); null on a moved-from reader.
  const SchemaPtr& schema() const {
    static const SchemaPtr kNone;
    return reader_ ? reader_->schema() : kNone;
  }
  /// Record batches read so far.
  std::int64_t batches_read() const { return batches_; }

 private:
  RowStreamReader(std::shared_ptr<io::InputStream> source, std::shared_ptr<ipc::StreamReader> reader,
                  const ReadLimits& limits, std::int64_t start)
      : source_(std::move(source)), reader_(std::move(reader)), limits_(limits), counted_(start) {}

  // The column types of `schema` against T's fields, through empty columns of those types.
  // A schema of more types than T's columns have (nested ones included) cannot match: it is
  // refused before any column is built, so the check costs at most T's size.
  static Status check_schema(const SchemaPtr& schema) {
    ARROWPACK_RETURN_NOT_OK(detail::column_count_check(schema->num_fields(), detail::field_count<T>()));
    static const auto kNodes = static_cast<std::int64_t>(detail::empty_plan<T>().nodes.size());
    std::int64_t nodes = 0;
    for (const auto& field : schema->fields()) {
      ARROWPACK_RETURN_NOT_OK(count_nodes(*field->type(), kNodes, &nodes));
    }
    std::vector<Array> columns;
    for (int i = 0; i < schema->num_fields(); ++i) {
      const DataTypePtr& type = schema->field(i)->type();
      auto builder = make_builder(type);
      if (!builder.ok()) {
        return Status::TypeError("column ", i, " is of type ", type->to_string(), ", which no row field reads");
      }
      ARROWPACK_ASSIGN_OR_RAISE(auto empty, (*builder)->finish());
      columns.push_back(std::move(empty));
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto batch, RecordBatch::make(schema, 0, std::move(columns)));
    typename detail::RowReaders<T>::Tuple readers;
    return detail::bind_rows<T>(readers, *batch);
  }

  // Adds `type`'s nodes (itself and its children's) to `*nodes`; TypeError beyond `limit`
  // or for a dictionary, which no row field reads.
  static Status count_nodes(const DataType& type, std::int64_t limit, std::int64_t* nodes) {
    if (type.id() == TypeId::kDictionary) {
      return Status::TypeError("a dictionary column (", type.to_string(), "), which no row field reads");
    }
    if (++*nodes > limit) {
      return Status::TypeError("a schema of more nested columns than the row type's ", limit);
    }
    for (const auto& child : type.fields()) ARROWPACK_RETURN_NOT_OK(count_nodes(*child->type(), limit, nodes));
    return Status::OK();
  }

  // Runs one read unless an earlier one failed; keeps its error (the source may then stand
  // inside a message).
  template <typename F>
  auto sticky(F&& read) -> decltype(read()) {
    if (reader_ == nullptr) return Status::Invalid("a moved-from row stream reader");
    if (!failed_.ok()) return failed_;
    auto out = catch_exceptions("reading a row stream", read);
    if (!out.ok()) failed_ = out.status();
    return out;
  }
  // Appends the rows of the next batch to `rows`, adding the bytes it took to `budget`'s
  // input and charging what `rows` grows by; false at the end of the stream.
  Result<bool> read_into(std::vector<T>& rows, ReadBudget& budget) {
    ARROWPACK_ASSIGN_OR_RAISE(auto batch, reader_->read_next_batch());
    if (batch == nullptr) return false;
    budget.add_input(take_input());
    ARROWPACK_RETURN_NOT_OK(append(*batch, rows, budget).with_context("batch " + std::to_string(batches_)));
    ++batches_;
    return true;
  }
  // The bytes the source gave since the last call (0 when tell() fails).
  std::int64_t take_input() {
    auto at = source_->tell();
    if (!at.ok() || *at <= counted_) return 0;
    const std::int64_t n = *at - counted_;
    counted_ = *at;
    return n;
  }
  // Appends the rows of `batch`, charging what `rows` grows by to `budget` first.
  Status append(const RecordBatch& batch, std::vector<T>& rows, ReadBudget& budget) {
    typename detail::RowReaders<T>::Tuple readers;
    ARROWPACK_RETURN_NOT_OK(detail::bind_rows<T>(readers, batch));
    const std::size_t need = rows.size() + static_cast<std::size_t>(batch.num_rows());
    if (need > rows.capacity()) {
      const std::size_t grown = std::max(need, 2 * rows.capacity());  // amortised over batches
      ARROWPACK_RETURN_NOT_OK(
          detail::charge_rows<T>(static_cast<std::int64_t>(grown - rows.capacity()),
                                 [&](std::int64_t bytes) { return budget.charge(bytes, "the rows of a row stream"); }));
      rows.reserve(grown);
    }
    return detail::append_rows<T>(readers, batch.num_rows(), rows);
  }

  std::shared_ptr<io::InputStream> source_;
  std::shared_ptr<ipc::StreamReader> reader_;
  ReadLimits limits_;
  Status failed_;  // the first error: the source may stand inside a message
  std::int64_t counted_ = 0;
  std::int64_t batches_ = 0;
};

}  // namespace arrowpack
