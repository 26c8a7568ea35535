// Arrow IPC from Python: files and streams (NativeFile over core's io), the stream and file
// readers and writers, and their batches, tables and schemas, which speak the Arrow
// PyCapsule interface (__arrow_c_schema__, __arrow_c_array__, __arrow_c_stream__) over
// core's C data interface bridge. Nothing is copied: batches read from a buffer or a memory
// map are views of it, exported structs hold the batches, imported ones the producer's.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "arrow_data.h"
#include "arrowpack/core/c/bridge.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc/api.h"
#include "arrowpack/core/memory_pool.h"
#include "common.h"

namespace arrowpack::python {

namespace {

// ---- files

// A file or stream: an input (random access), an output, or both (a memory map).
struct NativeFile {
  std::shared_ptr<io::RandomAccessFile> input;
  std::shared_ptr<io::OutputStream> output;
  std::shared_ptr<io::BufferOutputStream> buffer_output;  // BufferOutputStream: getvalue()
  std::shared_ptr<Buffer> whole;                          // a buffer or a map: read in place
  std::string kind;
  bool one_object = false;  // a memory map: input and output are the same file

  io::FileInterface* any() const {
    if (input) return input.get();
    if (output) return output.get();
    raise_status(Status::Invalid("the file is closed"));
  }
  io::RandomAccessFile& in() const {
    if (!input) raise_status(Status::Invalid("the ", kind, " is not readable"));
    return *input;
  }
  io::OutputStream& out() const {
    if (!output) raise_status(Status::Invalid("the ", kind, " is not writable"));
    return *output;
  }
};

NativeFile buffer_reader(nb::handle obj) {
  NativeFile f;
  f.whole = check(buffer_from_object(obj));
  f.input = std::make_shared<io::BufferReader>(f.whole);
  f.kind = "BufferReader";
  return f;
}

NativeFile buffer_output_stream() {
  NativeFile f;
  f.buffer_output = check(io::BufferOutputStream::create());
  f.output = f.buffer_output;
  f.kind = "BufferOutputStream";
  return f;
}

NativeFile os_file(const std::string& path, const std::string& mode) {
  NativeFile f;
  f.kind = "OSFile";
  if (mode == "r" || mode == "rb") {
    f.input = check(io::ReadableFile::open(path));
  } else if (mode == "w" || mode == "wb" || mode == "a" || mode == "ab") {
    f.output = check(io::FileOutputStream::open(path, mode[0] == 'a'));
  } else {
    raise_status(Status::Invalid("unknown file mode '", mode, "' (r, w or a)"));
  }
  return f;
}

NativeFile memory_map(const std::string& path, const std::string& mode) {
  NativeFile f;
  f.kind = "MemoryMappedFile";
  io::FileMode m = io::FileMode::kRead;
  if (mode == "r+" || mode == "r+b") {
    m = io::FileMode::kReadWrite;
  } else if (mode != "r" && mode != "rb") {
    raise_status(Status::Invalid("unknown memory map mode '", mode, "' (r or r+)"));
  }
  auto map = check(io::MemoryMappedFile::open(path, m));
  f.input = map;
  if (m == io::FileMode::kReadWrite) f.output = map;
  f.one_object = true;
  f.whole = check(map->read_at(0, check(map->get_size())));
  return f;
}

NativeFile create_memory_map(const std::string& path, std::int64_t size) {
  NativeFile f;
  f.kind = "MemoryMappedFile";
  auto map = check(io::MemoryMappedFile::create(path, size));
  f.input = map;
  f.output = map;
  f.one_object = true;
  return f;
}

// What a reader reads from: a buffer-protocol object or a file in place (zero-copy), a
// NativeFile, or a Python file object (read whole, then in place).
struct Source {
  std::shared_ptr<Buffer> buffer;
  std::shared_ptr<io::RandomAccessFile> file;
};

Source source_of(nb::handle obj) {
  Source s;
  if (nb::isinstance<NativeFile>(obj)) {
    NativeFile& f = nb::cast<NativeFile&>(obj);
    if (f.whole && check(f.in().tell()) == 0) {
      s.buffer = f.whole;
    } else {
      s.file = f.input;
      f.in();
    }
    return s;
  }
  if (PyUnicode_Check(obj.ptr()) || nb::hasattr(obj, "__fspath__")) {
    NativeFile f = memory_map(nb::cast<std::string>(nb::module_::import_("os").attr("fspath")(obj)), "r");
    s.buffer = f.whole;
    return s;
  }
  auto b = buffer_from_object(obj);
  if (b.ok()) {
    s.buffer = *b;
    return s;
  }
  if (nb::hasattr(obj, "read")) {
    nb::object data = obj.attr("read")();
    s.buffer = check(buffer_from_object(data));
    return s;
  }
  raise_status(Status::TypeError("cannot read IPC from an object of type ", Py_TYPE(obj.ptr())->tp_name));
}

std::shared_ptr<io::OutputStream> sink_of(nb::handle obj) {
  if (nb::isinstance<NativeFile>(obj)) {
    NativeFile& f = nb::cast<NativeFile&>(obj);
    f.out();
    return f.output;
  }
  if (PyUnicode_Check(obj.ptr()) || nb::hasattr(obj, "__fspath__")) {
    return check(io::FileOutputStream::open(nb::cast<std::string>(nb::module_::import_("os").attr("fspath")(obj))));
  }
  if (nb::hasattr(obj, "write")) return std::make_shared<PyFileSink>(obj);
  raise_status(Status::TypeError("cannot write IPC to an object of type ", Py_TYPE(obj.ptr())->tp_name));
}

// ---- readers and writers

struct PyStreamReader {
  std::shared_ptr<ipc::StreamReader> reader;
  bool exported = false;
  ipc::StreamReader& get() {
    if (exported) raise_status(Status::Invalid("the reader was handed over through __arrow_c_stream__"));
    return *reader;
  }
};

struct PyFileReader {
  std::shared_ptr<ipc::FileReader> reader;
};

struct PyBatchWriter {
  std::shared_ptr<ipc::StreamWriter> writer;
  SchemaPtr schema;
  bool closed = false;
  void close() {
    if (closed) return;
    closed = true;
    check(writer->close());
  }
  void write(nb::handle obj) {
    if (nb::isinstance<PyBatch>(obj) || (!nb::isinstance<PyTable>(obj) && nb::hasattr(obj, "__arrow_c_array__"))) {
      check(writer->write_batch(*batch_of(obj)));
    } else {
      check(writer->write_table(*table_of(obj)));
    }
  }
};

}  // namespace

void bind_ipc(nb::module_& m) {
  nb::class_<NativeFile>(m, "NativeFile", "A file or stream of arrowpack's io (see arrowpack.ipc).")
      .def_prop_ro("kind", [](const NativeFile& f) { return f.kind; })
      .def("readable", [](const NativeFile& f) { return f.input != nullptr; })
      .def("writable", [](const NativeFile& f) { return f.output != nullptr; })
      .def("seekable", [](const NativeFile& f) { return f.input != nullptr; })
      .def_prop_ro("closed", [](const NativeFile& f) { return !f.input && !f.output ? true : f.any()->closed(); })
      .def("size", [](const NativeFile& f) { return check(f.in().get_size()); })
      .def("tell", [](const NativeFile& f) { return check(f.any()->tell()); })
      .def(
          "seek",
          [](const NativeFile& f, std::int64_t pos) {
            check(f.in().seek(pos));
            return pos;
          },
          nb::arg("position"))
      .def(
          "read_buffer",
          [](const NativeFile& f, std::int64_t n) {
            auto& in = f.in();
            if (n < 0) n = check(in.get_size()) - check(in.tell());
            return wrap_buffer(check(in.read(n)));
          },
          nb::arg("nbytes") = -1, "The next nbytes (all the rest by default) as a Buffer (zero-copy where it can).")
      .def(
          "read",
          [](const NativeFile& f, std::int64_t n) {
            auto& in = f.in();
            if (n < 0) n = check(in.get_size()) - check(in.tell());
            auto b = check(in.read(n));
            return nb::bytes(reinterpret_cast<const char*>(b->data()), static_cast<std::size_t>(b->size()));
          },
          nb::arg("nbytes") = -1)
      .def(
          "write",
          [](const NativeFile& f, nb::handle data) {
            auto b = check(buffer_from_object(data));
            check(f.out().write(b->data(), b->size()));
            return b->size();
          },
          nb::arg("data"))
      .def("flush", [](const NativeFile& f) { check(f.out().flush()); })
      .def("getvalue",
           [](const NativeFile& f) {
             if (!f.buffer_output) raise_status(Status::Invalid("getvalue() is for a BufferOutputStream"));
             return wrap_buffer(check(f.buffer_output->finish()));
           })
      .def("close",
           [](NativeFile& f) {
             if (f.input && !f.input->closed()) check(f.input->close());
             if (f.output && !f.one_object && !f.output->closed()) check(f.output->close());
           })
      .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__exit__", [](NativeFile& f, nb::args) {
        // A BufferOutputStream stays open: getvalue() is what comes after the with block.
        if (f.input && !f.input->closed()) check(f.input->close());
        if (f.output && !f.one_object && !f.buffer_output && !f.output->closed()) check(f.output->close());
      });
  m.def("_buffer_reader", &buffer_reader, nb::arg("obj"));
  m.def("_buffer_output_stream", &buffer_output_stream);
  m.def("_os_file", &os_file, nb::arg("path"), nb::arg("mode") = "r");
  m.def("_memory_map", &memory_map, nb::arg("path"), nb::arg("mode") = "r");
  m.def("_create_memory_map", &create_memory_map, nb::arg("path"), nb::arg("size"));
  m.def(
      "total_allocated_bytes", [] { return default_memory_pool()->bytes_allocated(); },
      "Bytes allocated from arrowpack's default memory pool and not yet freed.");

  nb::class_<PyStreamReader>(m, "RecordBatchStreamReader", "Reads the Arrow IPC stream format.")
      .def_prop_ro("schema", [](PyStreamReader& r) { return PySchema{r.get().schema()}; })
      .def("read_next_batch",
           [](PyStreamReader& r) {
             RecordBatchPtr b = check(r.get().read_next_batch());
             if (!b) throw nb::stop_iteration();
             return PyBatch{b};
           })
      .def("read_all", [](PyStreamReader& r) { return PyTable{check(r.get().read_all())}; })
      .def("__iter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__next__",
           [](PyStreamReader& r) {
             RecordBatchPtr b = check(r.get().read_next_batch());
             if (!b) throw nb::stop_iteration();
             return PyBatch{b};
           })
      .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__exit__", [](PyStreamReader&, nb::args) {})
      .def("__arrow_c_schema__", [](PyStreamReader& r) { return schema_capsule(*r.get().schema()); })
      .def(
          "__arrow_c_stream__",
          [](PyStreamReader& r, nb::handle) {
            // The consumer reads the remaining batches; this reader is used up.
            auto reader = r.reader;
            nb::object capsule = stream_capsule(r.get().schema(), [reader] { return reader->read_next_batch(); });
            r.exported = true;
            return capsule;
          },
          nb::arg("requested_schema").none() = nb::none());
  m.def(
      "_open_stream",
      [](nb::handle source) {
        Source s = source_of(source);
        if (s.buffer) return PyStreamReader{check(ipc::open_stream(s.buffer))};
        return PyStreamReader{check(ipc::open_stream(std::static_pointer_cast<io::InputStream>(s.file)))};
      },
      nb::arg("source"));

  nb::class_<PyFileReader>(m, "RecordBatchFileReader", "Reads the Arrow IPC file format (random access).")
      .def_prop_ro("schema", [](const PyFileReader& r) { return PySchema{r.reader->schema()}; })
      .def_prop_ro("num_record_batches", [](const PyFileReader& r) { return r.reader->num_record_batches(); })
      .def(
          "get_batch", [](const PyFileReader& r, int i) { return PyBatch{check(r.reader->get_batch(i))}; },
          nb::arg("i"))
      .def(
          "get_record_batch", [](const PyFileReader& r, int i) { return PyBatch{check(r.reader->get_batch(i))}; },
          nb::arg("i"))
      .def("read_all", [](const PyFileReader& r) { return PyTable{check(r.reader->read_all())}; })
      .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__exit__", [](PyFileReader&, nb::args) {})
      .def("__arrow_c_schema__", [](const PyFileReader& r) { return schema_capsule(*r.reader->schema()); })
      .def(
          "__arrow_c_stream__",
          [](const PyFileReader& r, nb::handle) {
            auto reader = r.reader;
            auto next = std::make_shared<int>(0);
            return stream_capsule(reader->schema(), [reader, next]() -> Result<RecordBatchPtr> {
              if (*next >= reader->num_record_batches()) return RecordBatchPtr();
              return reader->get_batch((*next)++);
            });
          },
          nb::arg("requested_schema").none() = nb::none());
  m.def(
      "_open_file",
      [](nb::handle source) {
        Source s = source_of(source);
        if (s.buffer) return PyFileReader{check(ipc::open_file(s.buffer))};
        return PyFileReader{check(ipc::open_file(s.file))};
      },
      nb::arg("source"));

  nb::class_<PyBatchWriter>(m, "RecordBatchWriter", "Writes the Arrow IPC stream or file format.")
      .def_prop_ro("schema", [](const PyBatchWriter& w) { return PySchema{w.schema}; })
      .def("write", &PyBatchWriter::write, nb::arg("obj"),
           "Writes a record batch (any __arrow_c_array__ producer) or a table (any __arrow_c_stream__ producer).")
      .def(
          "write_batch", [](PyBatchWriter& w, nb::handle b) { check(w.writer->write_batch(*batch_of(b))); },
          nb::arg("batch"))
      .def(
          "write_table", [](PyBatchWriter& w, nb::handle t) { check(w.writer->write_table(*table_of(t))); },
          nb::arg("table"))
      .def("close", &PyBatchWriter::close)
      .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__exit__", [](PyBatchWriter& w, nb::args) { w.close(); });
  // pyarrow's new_stream and new_file: a writer of either format to any sink.
  auto open_writer = [](auto open) {
    return [open](nb::handle sink, nb::handle schema) {
      PyBatchWriter w;
      w.schema = schema_of(schema);
      w.writer = check(open(sink_of(sink), w.schema));
      return w;
    };
  };
  m.def("_new_stream", open_writer([](auto sink, auto schema) -> Result<std::shared_ptr<ipc::StreamWriter>> {
          return ipc::new_stream(std::move(sink), std::move(schema));
        }),
        nb::arg("sink"), nb::arg("schema"));
  m.def("_new_file", open_writer([](auto sink, auto schema) -> Result<std::shared_ptr<ipc::StreamWriter>> {
          ARROWPACK_ASSIGN_OR_RAISE(auto w, ipc::new_file(std::move(sink), std::move(schema)));
          return std::static_pointer_cast<ipc::StreamWriter>(w);
        }),
        nb::arg("sink"), nb::arg("schema"));
}

}  // namespace arrowpack::python
