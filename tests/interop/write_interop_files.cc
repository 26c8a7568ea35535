// Writes the files Arrow JS must read: the seed batch 5x as a stream and 10x as a file,
// and one stream and one file per supported type (see tests/test_data.cc).
#include <filesystem>
#include <iostream>

#include "arrowpack/registry/serialize.h"
#include "test_data.h"

namespace ap = arrowpack;

namespace {
ap::Status write(const std::string& path, const ap::RecordBatchPtr& batch, int times, bool file,
                 const ap::ipc::IpcWriteOptions& options = {}) {
  auto bytes = ap::testing::write_ipc(*batch, times, file, options);
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, ap::io::FileOutputStream::open(path));
  ARROWPACK_RETURN_NOT_OK(sink->write(bytes));
  return sink->close();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_interop_files OUTDIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ap::Status st = write(dir + "/seed.arrows", ap::testing::seed_batch(), 5, false);
  if (st.ok()) st = write(dir + "/seed.arrow", ap::testing::seed_batch(), 10, true);
  for (const auto& [name, batch] : ap::testing::batches_per_type()) {
    if (!st.ok()) break;
    st = write(dir + "/type_" + name + ".arrows", batch, 2, false);
    if (st.ok()) st = write(dir + "/type_" + name + ".arrow", batch, 2, true);
  }
  // Compressed bodies, every type in one batch each way.
  for (auto codec : {ap::Compression::kLz4Frame, ap::Compression::kZstd}) {
    if (!st.ok()) break;
    ap::ipc::IpcWriteOptions options;
    options.compression = codec;
    const std::string tag(ap::compression_name(codec));
    for (const auto& [name, batch] : ap::testing::batches_per_type()) {
      if (name != "utf8" && name != "int64" && name != "struct" && name != "dictionary_utf8" && name != "float64")
        continue;
      st = write(dir + "/" + tag + "_" + name + ".arrows", batch, 2, false, options);
      if (st.ok()) st = write(dir + "/" + tag + "_" + name + ".arrow", batch, 2, true, options);
      if (!st.ok()) break;
    }
  }
  // Dictionaries that change from batch to batch: sent as deltas, or replaced.
  if (st.ok()) {
    auto type = ap::dictionary(ap::int16(), ap::utf8()).value_or_throw();
    auto builder = ap::DictionaryBuilder::make(type).value_or_throw();
    std::vector<ap::RecordBatchPtr> growing;
    for (const auto& words : std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "a"}, {"d"}}) {
      for (const auto& w : words) builder->append(w).throw_if_error();
      auto column = builder->finish().value_or_throw();
      growing.push_back(ap::RecordBatch::make(ap::schema({ap::field("w", type)}), {column}).value_or_throw());
    }
    for (bool deltas : {true, false}) {
      ap::ipc::IpcWriteOptions options;
      options.emit_dictionary_deltas = deltas;
      auto sink =
          ap::io::FileOutputStream::open(dir + (deltas ? "/dictionary_deltas.arrows" : "/dictionary_replaced.arrows"))
              .value_or_throw();
      auto writer = ap::ipc::new_stream(sink, growing[0]->schema(), options).value_or_throw();
      for (const auto& b : growing) writer->write_batch(*b).throw_if_error();
      writer->close().throw_if_error();
      st = sink->close();
      if (!st.ok()) break;
    }
  }
  // The structure stream of a serialized object (components' data[0]) is plain Arrow IPC.
  if (st.ok()) {
    auto data = ap::allocate_buffer(4 * 8).value_or_throw();
    for (int i = 0; i < 4; ++i) reinterpret_cast<double*>(data->mutable_data())[i] = i;
    auto tensor = ap::Tensor::make(ap::float64(), data, {2, 2}).value_or_throw();
    ap::Value v = ap::Value::dict({{"ints", ap::Value::list({1, -2, std::int64_t{1} << 40})},
                                   {"text", "h\xC3\xA9"},
                                   {"nested", ap::Value::tuple({ap::Value::set({1.5}), nullptr, true})},
                                   {ap::Value::tuple({1, 2}), ap::Value::bytes("\x01\x02")},
                                   {"half", ap::Value::half(0x3C00)},
                                   {"float", 0.25f},
                                   {"when", ap::Value::date64_micros(1577836800000000)},
                                   {"tensor", tensor},
                                   {"ndarray", ap::Value::ndarray(tensor)},
                                   {"buffer", ap::Buffer::from_string("raw")}});
    auto components = ap::serialize(v).value_or_throw().to_components().value_or_throw();
    auto sink = ap::io::FileOutputStream::open(dir + "/serialized_structure.arrows").value_or_throw();
    st = sink->write(components.data[0]);
    if (st.ok()) st = sink->close();
  }
  if (!st.ok()) {
    std::cerr << "write_interop_files: " << st.to_string() << "\n";
    return 1;
  }
  return 0;
}
