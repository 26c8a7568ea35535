// libarrowpack_c: the C ABI over core's IPC readers and writers and the C data interface
// bridge. Each entry point turns a Status into an errno value and a thread-local message, and
// catches everything (no exception crosses into C).
#include "arrowpack/arrowpack_c.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "arrowpack/core/c/bridge.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/reader.h"
#include "arrowpack/core/ipc/writer.h"
#include "arrowpack/core/status.h"

#ifndef ARROWPACK_VERSION_STRING
#define ARROWPACK_VERSION_STRING "0.0.0"
#endif

namespace {

using arrowpack::Result;
using arrowpack::Status;
using arrowpack::StatusCode;

thread_local std::string last_error;

// The errno value of a Status code (0 for OK).
int errno_of(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalid:
    case StatusCode::kTypeError:
    case StatusCode::kIndexError:
    case StatusCode::kKeyError:
    case StatusCode::kSerializationError: return EINVAL;
    case StatusCode::kNotImplemented: return ENOSYS;
    case StatusCode::kCapacityError:
    case StatusCode::kOutOfMemory: return ENOMEM;
    case StatusCode::kIOError: return EIO;
  }
  return EINVAL;
}

int report(const Status& st) {
  last_error = st.ok() ? std::string() : st.to_string();
  return errno_of(st);
}

template <typename F>
int guarded(const char* what, F&& f) {
  return report(arrowpack::catch_exceptions(what, std::forward<F>(f)));
}

// A C stream over an arrowpack IPC reader (stream or file), batch by batch.
Status export_reader(std::shared_ptr<arrowpack::ipc::StreamReader> reader, ArrowArrayStream* out) {
  arrowpack::SchemaPtr schema = reader->schema();
  return arrowpack::c::export_stream(
      std::move(schema), [reader]() { return reader->read_next_batch(); }, out);
}

Status export_file_reader(std::shared_ptr<arrowpack::ipc::FileReader> reader, ArrowArrayStream* out) {
  arrowpack::SchemaPtr schema = reader->schema();
  auto next = std::make_shared<int>(0);
  return arrowpack::c::export_stream(
      std::move(schema),
      [reader, next]() -> Result<arrowpack::RecordBatchPtr> {
        if (*next >= reader->num_record_batches()) return arrowpack::RecordBatchPtr();
        return reader->get_batch((*next)++);
      },
      out);
}

// Writes every batch of `stream` to `writer`, then closes it.
Status drain(arrowpack::c::StreamImporter& reader, arrowpack::ipc::StreamWriter& writer) {
  while (true) {
    ARROWPACK_ASSIGN_OR_RAISE(auto batch, reader.read_next_batch());
    if (!batch) break;
    ARROWPACK_RETURN_NOT_OK(writer.write_batch(*batch));
  }
  return writer.close();
}

}  // namespace

extern "C" {

const char* arrowpack_version(void) { return ARROWPACK_VERSION_STRING; }

const char* arrowpack_last_error(void) { return last_error.c_str(); }

int arrowpack_ipc_read_stream(const uint8_t* data, int64_t size, struct ArrowArrayStream* out) {
  return guarded("reading an IPC stream", [&]() -> Status {
    if (out == nullptr || (data == nullptr && size != 0) || size < 0) {
      return Status::Invalid("arrowpack_ipc_read_stream needs data, a size >= 0 and an output stream");
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, arrowpack::ipc::open_stream(arrowpack::Buffer::wrap(data, size)));
    return export_reader(std::move(reader), out);
  });
}

int arrowpack_ipc_read_file(const char* path, struct ArrowArrayStream* out) {
  return guarded("reading an IPC file", [&]() -> Status {
    if (out == nullptr || path == nullptr)
      return Status::Invalid("arrowpack_ipc_read_file needs a path and an output stream");
    ARROWPACK_ASSIGN_OR_RAISE(auto file, arrowpack::io::MemoryMappedFile::open(path));
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, arrowpack::ipc::open_file(std::move(file)));
    return export_file_reader(std::move(reader), out);
  });
}

int arrowpack_ipc_write_stream(struct ArrowArrayStream* stream, uint8_t** out, int64_t* size) {
  return guarded("writing an IPC stream", [&]() -> Status {
    if (stream == nullptr || out == nullptr || size == nullptr) {
      if (stream != nullptr && stream->release != nullptr) stream->release(stream);
      return Status::Invalid("arrowpack_ipc_write_stream needs a stream, and where to put the bytes");
    }
    *out = nullptr;
    *size = 0;
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, arrowpack::c::StreamImporter::open(stream));
    ARROWPACK_ASSIGN_OR_RAISE(auto sink, arrowpack::io::BufferOutputStream::create());
    ARROWPACK_ASSIGN_OR_RAISE(auto writer, arrowpack::ipc::new_stream(sink, reader->schema()));
    ARROWPACK_RETURN_NOT_OK(drain(*reader, *writer));
    ARROWPACK_ASSIGN_OR_RAISE(auto bytes, sink->finish());
    // One copy into malloc'd memory, so that C frees it without knowing arrowpack's pool.
    auto* copy = static_cast<uint8_t*>(std::malloc(static_cast<std::size_t>(bytes->size() > 0 ? bytes->size() : 1)));
    if (copy == nullptr) return Status::OutOfMemory("allocating ", bytes->size(), " bytes for the IPC stream");
    if (bytes->size() > 0) std::memcpy(copy, bytes->data(), static_cast<std::size_t>(bytes->size()));
    *out = copy;
    *size = bytes->size();
    return Status::OK();
  });
}

int arrowpack_ipc_write_file(struct ArrowArrayStream* stream, const char* path) {
  return guarded("writing an IPC file", [&]() -> Status {
    if (stream == nullptr || path == nullptr) {
      if (stream != nullptr && stream->release != nullptr) stream->release(stream);
      return Status::Invalid("arrowpack_ipc_write_file needs a stream and a path");
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, arrowpack::c::StreamImporter::open(stream));
    ARROWPACK_ASSIGN_OR_RAISE(auto sink, arrowpack::io::FileOutputStream::open(path));
    // A file cannot replace a dictionary: batches whose dictionaries change are merged into
    // one growing dictionary (deltas), so that any stream can be written as a file.
    arrowpack::ipc::IpcWriteOptions options;
    options.unify_dictionaries = true;
    ARROWPACK_ASSIGN_OR_RAISE(auto writer, arrowpack::ipc::new_file(sink, reader->schema(), options));
    ARROWPACK_RETURN_NOT_OK(drain(*reader, *writer));
    return sink->close();
  });
}

void arrowpack_free(void* buffer) { std::free(buffer); }

int arrowpack_validate_array(struct ArrowArray* array, struct ArrowSchema* schema, struct ArrowArray* out_array,
                             struct ArrowSchema* out_schema) {
  return guarded("validating an array", [&]() -> Status {
    if (out_array == nullptr || out_schema == nullptr) {
      if (array != nullptr && array->release != nullptr) array->release(array);
      if (schema != nullptr && schema->release != nullptr) schema->release(schema);
      return Status::Invalid("arrowpack_validate_array needs output structs");
    }
    // The field, not only the type: its name, flags and metadata go back out as they came.
    auto field = arrowpack::c::import_field(schema);
    if (!field.ok()) {
      if (array != nullptr && array->release != nullptr) array->release(array);
      return field.status();
    }
    ARROWPACK_ASSIGN_OR_RAISE(auto imported, arrowpack::c::import_array(array, (*field)->type()));
    ARROWPACK_RETURN_NOT_OK(arrowpack::c::export_field(**field, out_schema));
    Status st = arrowpack::c::export_array(imported, out_array);
    if (!st.ok()) out_schema->release(out_schema);
    return st;
  });
}

int arrowpack_validate_stream(struct ArrowArrayStream* stream, struct ArrowArrayStream* out) {
  return guarded("validating a stream", [&]() -> Status {
    if (out == nullptr) {
      if (stream != nullptr && stream->release != nullptr) stream->release(stream);
      return Status::Invalid("arrowpack_validate_stream needs an output stream");
    }
    ARROWPACK_ASSIGN_OR_RAISE(std::shared_ptr<arrowpack::c::StreamImporter> reader,
                              arrowpack::c::StreamImporter::open(stream));
    arrowpack::SchemaPtr schema = reader->schema();
    return arrowpack::c::export_stream(
        std::move(schema), [reader]() { return reader->read_next_batch(); }, out);
  });
}

}  // extern "C"
