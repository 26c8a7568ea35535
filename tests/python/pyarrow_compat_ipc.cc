// pyarrow_compat's IPC commands (issue #10 section 3): arrowpack rewrites what a current
// pyarrow wrote, with the writer options under test, for pyarrow to read back.
#include <algorithm>
#include <charconv>
#include <vector>

#include "arrowpack/core/api.h"
#include "pyarrow_compat.h"

namespace arrowpack::pycompat {
namespace {

Result<std::int64_t> parse_int(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return Status::Invalid("not an integer: '", text, "'");
  return v;
}

struct Read {
  SchemaPtr schema;
  std::vector<RecordBatchPtr> batches;
};

// Every batch of an IPC stream or file, read with full validation (the default).
Result<Read> read_ipc(const std::shared_ptr<Buffer>& bytes) {
  Read out;
  const bool is_file = bytes->size() >= 6 && bytes->view().substr(0, 6) == ipc::kFileMagic;
  if (is_file) {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_file(bytes));
    out.schema = reader->schema();
    for (int i = 0; i < reader->num_record_batches(); ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(auto batch, reader->get_batch(i));
      out.batches.push_back(std::move(batch));
    }
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ipc::open_stream(bytes));
    out.schema = reader->schema();
    for (auto batch : *reader) {
      if (!batch.ok()) return batch.status();
      out.batches.push_back(*batch);
    }
  }
  return out;
}

}  // namespace

Status rewrite_ipc(const std::vector<std::string>& args) {
  if (args.size() < 3) return Status::Invalid("rewrite IN OUT stream|file [options]");
  const std::string& format = args[2];
  if (format != "stream" && format != "file")
    return Status::Invalid("format must be stream or file, not '", format, "'");
  ipc::IpcWriteOptions options;
  std::int64_t slice_offset = -1, slice_length = 0;
  for (std::size_t i = 3; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--deltas") {
      options.emit_dictionary_deltas = true;
    } else if (a == "--unify") {
      options.unify_dictionaries = true;
    } else if (a == "--compression" && has_value) {
      ARROWPACK_ASSIGN_OR_RAISE(options.compression, compression_from_name(args[++i]));
    } else if (a == "--alignment" && has_value) {
      ARROWPACK_ASSIGN_OR_RAISE(auto v, parse_int(args[++i]));
      options.alignment = static_cast<std::int32_t>(v);
    } else if (a == "--slice" && i + 2 < args.size()) {
      ARROWPACK_ASSIGN_OR_RAISE(slice_offset, parse_int(args[++i]));
      ARROWPACK_ASSIGN_OR_RAISE(slice_length, parse_int(args[++i]));
    } else {
      return Status::Invalid("unknown option '", a, "'");
    }
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, io::read_file(args[0]));
  ARROWPACK_ASSIGN_OR_RAISE(Read in, read_ipc(bytes));
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, io::FileOutputStream::open(args[1]));
  std::shared_ptr<ipc::StreamWriter> writer;
  if (format == "file") {
    ARROWPACK_ASSIGN_OR_RAISE(writer, ipc::new_file(sink, in.schema, options));
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(writer, ipc::new_stream(sink, in.schema, options));
  }
  for (const auto& batch : in.batches) {
    if (slice_offset >= 0) {
      // The writer gets a slice of the batch (non-zero offsets in every column), clamped to
      // the batch as pyarrow's RecordBatch.slice() clamps.
      const std::int64_t offset = std::min(slice_offset, batch->num_rows());
      const std::int64_t length = std::min(slice_length, batch->num_rows() - offset);
      ARROWPACK_ASSIGN_OR_RAISE(auto sliced, batch->slice(offset, length));
      ARROWPACK_RETURN_NOT_OK(writer->write_batch(*sliced));
    } else {
      ARROWPACK_RETURN_NOT_OK(writer->write_batch(*batch));
    }
  }
  ARROWPACK_RETURN_NOT_OK(writer->close());
  return sink->close();
}

Status rewrite_tensors(const std::string& in, const std::string& out) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, io::read_file(in));
  io::BufferReader reader(bytes);
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, io::FileOutputStream::open(out));
  for (;;) {
    ARROWPACK_ASSIGN_OR_RAISE(auto message, ipc::read_message(&reader));
    if (!message) break;
    if (message->type() == ipc::MessageType::kSparseTensor) {
      ARROWPACK_ASSIGN_OR_RAISE(auto sparse, ipc::read_sparse_tensor(*message));
      ARROWPACK_RETURN_NOT_OK(ipc::write_sparse_tensor(*sparse, sink.get()).status());
      continue;
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto tensor, ipc::read_tensor(*message));
    ARROWPACK_RETURN_NOT_OK(ipc::write_tensor(*tensor, sink.get()).status());
  }
  return sink->close();
}

Status coo_from_dense(const std::string& in, const std::string& out) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, io::read_file(in));
  io::BufferReader reader(bytes);
  ARROWPACK_ASSIGN_OR_RAISE(auto dense, ipc::read_tensor(&reader));
  ARROWPACK_ASSIGN_OR_RAISE(auto coo, SparseTensor::coo_from_dense(*dense));
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, io::FileOutputStream::open(out));
  ARROWPACK_RETURN_NOT_OK(ipc::write_sparse_tensor(*coo, sink.get()).status());
  return sink->close();
}

}  // namespace arrowpack::pycompat
