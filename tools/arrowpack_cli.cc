// `arrowpack`: inspect, validate and convert Arrow IPC streams and files.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "arrowpack/core/api.h"
#include "canonical_json.h"
#include "inspect_json.h"

namespace ap = arrowpack;

namespace {

constexpr const char* kUsage =
    "usage: arrowpack <command> [options]\n"
    "\n"
    "commands:\n"
    "  cat [--json] FILE          print the schema and batches of an IPC stream or file\n"
    "                             (--json: the canonical JSON of ../shared/interop/README.md),\n"
    "                             or the tensors of a file of Tensor or SparseTensor messages\n"
    "  inspect [--json] FILE      print the object tree of a serialized blob (to_buffer /\n"
    "                             write_to output, arrowpack or pyarrow <= 11); runs no user code\n"
    "  validate FILE              read every batch with full validation\n"
    "  file-to-stream IN OUT      rewrite an IPC file as an IPC stream\n"
    "  stream-to-file IN OUT      rewrite an IPC stream as an IPC file\n"
    "\n"
    "FILE may be '-' for standard input. Stream or file is detected from the 'ARROW1' magic.\n";

// The whole input, read into memory. Not a memory map: a file that another process
// truncates while it is mapped makes the reader fault (SIGBUS); read bytes cannot change.
ap::Result<std::shared_ptr<ap::Buffer>> load(const std::string& path) {
  if (path == "-") {
    ap::io::FdInputStream in(0, false);
    return ap::io::read_fully(&in, std::int64_t{1} << 40);
  }
  return ap::io::read_file(path);
}

ap::Status run(const std::vector<std::string>& args, bool* usage_error);

struct Contents {
  bool is_file = false;
  ap::SchemaPtr schema;
  std::vector<ap::RecordBatchPtr> batches;
};

ap::Result<Contents> read_all(const std::shared_ptr<ap::Buffer>& bytes) {
  Contents out;
  out.is_file = ap::tools::looks_like_ipc_file(*bytes);
  if (out.is_file) {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ap::ipc::open_file(bytes));
    out.schema = reader->schema();
    for (int i = 0; i < reader->num_record_batches(); ++i) {
      ARROWPACK_ASSIGN_OR_RAISE(auto batch, reader->get_batch(i));
      out.batches.push_back(std::move(batch));
    }
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ap::ipc::open_stream(bytes));
    out.schema = reader->schema();
    for (auto batch : *reader) {
      if (!batch.ok()) return batch.status();
      out.batches.push_back(*batch);
    }
  }
  return out;
}

// A file of Tensor or SparseTensor messages (write_tensor / write_sparse_tensor output)
// starts with one.
bool holds_tensors(const std::shared_ptr<ap::Buffer>& bytes) {
  if (ap::tools::looks_like_ipc_file(*bytes)) return false;
  ap::io::BufferReader reader(bytes);
  auto first = ap::ipc::read_message(&reader);
  return first.ok() && *first &&
         ((*first)->type() == ap::ipc::MessageType::kTensor || (*first)->type() == ap::ipc::MessageType::kSparseTensor);
}

ap::Status cat_tensors(const std::shared_ptr<ap::Buffer>& bytes, bool json) {
  ap::io::BufferReader reader(bytes);
  std::string out = json ? "{\"tensors\":[" : "";
  for (int i = 0;; ++i) {
    ARROWPACK_ASSIGN_OR_RAISE(auto message, ap::ipc::read_message(&reader));
    if (!message) break;
    if (json && i) out += ',';
    if (message->type() == ap::ipc::MessageType::kSparseTensor) {
      ARROWPACK_ASSIGN_OR_RAISE(auto sparse, ap::ipc::read_sparse_tensor(*message));
      out += json ? "{\"sparse_tensor\":" + ap::tools::sparse_tensor_json(*sparse) + "}"
                  : "tensor " + std::to_string(i) + ": " + sparse->to_string() + "\n";
      continue;
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto tensor, ap::ipc::read_tensor(*message));
    out += json ? ap::tools::tensor_json(*tensor) : "tensor " + std::to_string(i) + ": " + tensor->to_string() + "\n";
  }
  std::cout << out << (json ? "]}\n" : "");
  return ap::Status::OK();
}

ap::Status cmd_inspect(const std::string& path, bool json) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, load(path));
  ARROWPACK_ASSIGN_OR_RAISE(auto value, ap::tools::inspect_value(bytes));
  std::cout << (json ? ap::tools::inspect_json(value) + "\n" : ap::tools::inspect_text(value));
  return ap::Status::OK();
}

ap::Status cmd_cat(const std::string& path, bool json) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, load(path));  // once: stdin cannot be read twice
  if (holds_tensors(bytes)) return cat_tensors(bytes, json);
  if (json) {
    ARROWPACK_ASSIGN_OR_RAISE(auto doc, ap::tools::canonical_json(bytes));
    std::cout << doc << "\n";
    return ap::Status::OK();
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto c, read_all(bytes));
  std::cout << "format: " << (c.is_file ? "file" : "stream") << "\n"
            << "schema:\n"
            << c.schema->to_string() << "\n";
  for (std::size_t i = 0; i < c.batches.size(); ++i) {
    std::cout << "\nbatch " << i << " (" << c.batches[i]->num_rows() << " rows)\n";
    for (int col = 0; col < c.batches[i]->num_columns(); ++col) {
      std::cout << c.batches[i]->column_name(col) << ": " << c.batches[i]->column(col).to_string_compact() << "\n";
    }
  }
  return ap::Status::OK();
}

ap::Status cmd_validate(const std::string& path) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, load(path));
  ARROWPACK_ASSIGN_OR_RAISE(auto c, read_all(bytes));
  std::int64_t rows = 0;
  for (const auto& b : c.batches) {
    if (__builtin_add_overflow(rows, b->num_rows(), &rows)) {
      return ap::Status::CapacityError("more than 2^63-1 rows");
    }
  }
  std::cout << "OK: " << (c.is_file ? "IPC file" : "IPC stream") << ", " << c.schema->num_fields() << " fields, "
            << c.batches.size() << " batches, " << rows << " rows\n";
  return ap::Status::OK();
}

ap::Status cmd_convert(const std::string& in, const std::string& out, bool to_file) {
  ARROWPACK_ASSIGN_OR_RAISE(auto bytes, load(in));
  ARROWPACK_ASSIGN_OR_RAISE(auto c, read_all(bytes));
  if (c.is_file == to_file) {
    return ap::Status::Invalid("'", in, "' is already an IPC ", to_file ? "file" : "stream");
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, ap::io::FileOutputStream::open(out));
  std::shared_ptr<ap::ipc::StreamWriter> writer;
  if (to_file) {
    // A stream may replace a dictionary from batch to batch; a file cannot: merge them.
    ap::ipc::IpcWriteOptions options;
    options.unify_dictionaries = true;
    ARROWPACK_ASSIGN_OR_RAISE(writer, ap::ipc::new_file(sink, c.schema, options));
  } else {
    ARROWPACK_ASSIGN_OR_RAISE(writer, ap::ipc::new_stream(sink, c.schema));
  }
  for (const auto& b : c.batches) ARROWPACK_RETURN_NOT_OK(writer->write_batch(*b));
  ARROWPACK_RETURN_NOT_OK(writer->close());
  return sink->close();
}

ap::Status run(const std::vector<std::string>& args, bool* usage_error) {
  const std::string& cmd = args[0];
  if (cmd == "cat" && args.size() == 2) return cmd_cat(args[1], false);
  if (cmd == "cat" && args.size() == 3 && args[1] == "--json") return cmd_cat(args[2], true);
  if (cmd == "inspect" && args.size() == 2) return cmd_inspect(args[1], false);
  if (cmd == "inspect" && args.size() == 3 && args[1] == "--json") return cmd_inspect(args[2], true);
  if (cmd == "validate" && args.size() == 2) return cmd_validate(args[1]);
  if (cmd == "file-to-stream" && args.size() == 3) return cmd_convert(args[1], args[2], false);
  if (cmd == "stream-to-file" && args.size() == 3) return cmd_convert(args[1], args[2], true);
  *usage_error = true;
  return ap::Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  bool usage_error = false;
  ap::Status st;
  try {
    st = run(args, &usage_error);
  } catch (const std::bad_alloc&) {
    st = ap::Status::OutOfMemory("out of memory");
  } catch (const std::exception& e) {
    st = ap::Status::Invalid("unexpected failure: ", e.what());
  }
  if (usage_error) {
    std::cerr << "arrowpack: bad command line\n" << kUsage;
    return 2;
  }
  if (!st.ok()) {
    // Status messages are escaped: one line, no control characters.
    std::cerr << "arrowpack: " << st.to_string() << "\n";
    return 1;
  }
  return 0;
}
