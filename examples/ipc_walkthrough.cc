// The pyarrow chapter "Streaming, Serialization, and IPC", walked through in C++ with
// arrowpack. Each section prints what the corresponding pyarrow snippet prints.
//
//   ipc_walkthrough [WORKDIR]     (WORKDIR holds bigfile.arrow; default: the current folder)
#include <chrono>
#include <cstdio>
#include <iostream>
#include <numeric>

#include <random>

#include "arrowpack/core/api.h"
#include "arrowpack/registry/context.h"
#include "arrowpack/registry/serialize.h"

namespace ap = arrowpack;
using ap::Status;

namespace {

// --- Using streams -----------------------------------------------------------------------
Status using_streams(const std::shared_ptr<ap::RecordBatch>& batch) {
  std::cout << "== Using streams ==\n";
  std::cout << ">>> batch.num_rows\n" << batch->num_rows() << "\n";
  std::cout << ">>> batch.num_columns\n" << batch->num_columns() << "\n";

  // sink = pa.BufferOutputStream()
  // with pa.ipc.new_stream(sink, batch.schema) as writer:
  //     for i in range(5): writer.write_batch(batch)
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, ap::io::BufferOutputStream::create());
  ARROWPACK_ASSIGN_OR_RAISE(auto writer, ap::ipc::new_stream(sink, batch->schema()));
  for (int i = 0; i < 5; ++i) ARROWPACK_RETURN_NOT_OK(writer->write_batch(*batch));
  ARROWPACK_RETURN_NOT_OK(writer->close());

  // buf = sink.getvalue(); buf.size
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, sink->getvalue());
  std::cout << ">>> buf.size\n" << buf->size() << "\n";

  // with pa.ipc.open_stream(buf) as reader:
  //     schema = reader.schema; batches = [b for b in reader]
  ARROWPACK_ASSIGN_OR_RAISE(auto reader, ap::ipc::open_stream(buf));
  std::cout << ">>> schema\n" << reader->schema()->to_string() << "\n";
  std::vector<std::shared_ptr<ap::RecordBatch>> batches;
  for (auto b : *reader) {
    if (!b.ok()) return b.status();
    batches.push_back(*b);
  }
  std::cout << ">>> len(batches)\n" << batches.size() << "\n";
  std::cout << ">>> batches[0].equals(batch)\n" << (batches[0]->equals(*batch) ? "True" : "False") << "\n";
  // Zero-copy: the batch's buffers are slices of `buf`.
  const auto& data = batches[0]->column(0).buffer(1);
  std::cout << "(batches[0] points into buf, no copy: " << (buf->contains(data->data(), data->size()) ? "yes" : "no")
            << ")\n\n";
  return Status::OK();
}

// --- Writing and Reading Random Access Files ---------------------------------------------
Status random_access_files(const std::shared_ptr<ap::RecordBatch>& batch) {
  std::cout << "== Writing and Reading Random Access Files ==\n";
  ARROWPACK_ASSIGN_OR_RAISE(auto sink, ap::io::BufferOutputStream::create());
  ARROWPACK_ASSIGN_OR_RAISE(auto writer, ap::ipc::new_file(sink, batch->schema()));
  for (int i = 0; i < 10; ++i) ARROWPACK_RETURN_NOT_OK(writer->write_batch(*batch));
  ARROWPACK_RETURN_NOT_OK(writer->close());
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, sink->getvalue());
  std::cout << ">>> buf.size\n" << buf->size() << "\n";

  // with pa.ipc.open_file(buf) as reader: num_record_batches = reader.num_record_batches
  ARROWPACK_ASSIGN_OR_RAISE(auto reader, ap::ipc::open_file(buf));
  std::cout << ">>> reader.num_record_batches\n" << reader->num_record_batches() << "\n";
  // b = reader.get_batch(3)
  ARROWPACK_ASSIGN_OR_RAISE(auto b, reader->get_batch(3));
  std::cout << ">>> b.equals(batch)\n" << (b->equals(*batch) ? "True" : "False") << "\n";
  // reader.read_all()
  ARROWPACK_ASSIGN_OR_RAISE(auto table, reader->read_all());
  std::cout << ">>> reader.read_all().num_rows\n" << table->num_rows() << "\n\n";
  return Status::OK();
}

// --- Efficiently Writing and Reading Arrow Data ------------------------------------------
Status big_file(const std::string& path) {
  std::cout << "== Efficiently Writing and Reading Arrow Data ==\n";
  constexpr std::int64_t kBatchSize = 10000;
  constexpr int kBatchCount = 1000;
  auto schema = ap::schema({ap::field("nums", ap::int32())});

  // One batch of np.arange(BATCH_SIZE) as int32, written 1000 times through an OSFile.
  std::vector<std::int32_t> values(kBatchSize);
  std::iota(values.begin(), values.end(), 0);
  ap::NumericBuilder<std::int32_t> builder(ap::int32());
  ARROWPACK_RETURN_NOT_OK(builder.append_values(values.data(), kBatchSize));
  ARROWPACK_ASSIGN_OR_RAISE(auto column, builder.finish());
  ARROWPACK_ASSIGN_OR_RAISE(auto batch, ap::RecordBatch::make(schema, {column}));

  auto t0 = std::chrono::steady_clock::now();
  {
    ARROWPACK_ASSIGN_OR_RAISE(auto sink, ap::io::FileOutputStream::open(path));
    ARROWPACK_ASSIGN_OR_RAISE(auto writer, ap::ipc::new_file(sink, schema));
    for (int i = 0; i < kBatchCount; ++i) ARROWPACK_RETURN_NOT_OK(writer->write(*batch));
    ARROWPACK_RETURN_NOT_OK(writer->close());
    ARROWPACK_RETURN_NOT_OK(sink->close());
  }
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  auto t1 = std::chrono::steady_clock::now();
  std::cout << "wrote " << kBatchCount << " batches of " << kBatchSize << " int32 to " << path << " in " << ms(t0, t1)
            << " ms\n";

  // with pa.memory_map('bigfile.arrow', 'r') as source:
  //     loaded_array = pa.ipc.open_file(source).read_all()
  const std::int64_t before = ap::total_allocated_bytes();
  {
    auto t2 = std::chrono::steady_clock::now();
    ARROWPACK_ASSIGN_OR_RAISE(auto source, ap::io::MemoryMappedFile::open(path));
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ap::ipc::open_file(source));
    ARROWPACK_ASSIGN_OR_RAISE(auto loaded, reader->read_all());
    auto t3 = std::chrono::steady_clock::now();
    std::cout << "memory map:  LEN: " << loaded->num_rows() << "  allocated: " << (ap::total_allocated_bytes() - before)
              << " bytes  (" << ms(t2, t3) << " ms)\n";
  }
  // The same through an OSFile: every buffer is read into memory.
  {
    auto t2 = std::chrono::steady_clock::now();
    ARROWPACK_ASSIGN_OR_RAISE(auto source, ap::io::ReadableFile::open(path));
    ARROWPACK_ASSIGN_OR_RAISE(auto reader, ap::ipc::open_file(source));
    ARROWPACK_ASSIGN_OR_RAISE(auto loaded, reader->read_all());
    auto t3 = std::chrono::steady_clock::now();
    std::cout << "OS file:     LEN: " << loaded->num_rows()
              << "  allocated: " << ((ap::total_allocated_bytes() - before) >> 20) << " MB  (" << ms(t2, t3)
              << " ms)\n";
  }
  return Status::OK();
}

// --- Arbitrary Object Serialization -------------------------------------------------------
// data = {i: np.random.randn(500, 500) for i in range(100)}
ap::Result<ap::Value> random_matrices() {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  std::vector<std::pair<ap::Value, ap::Value>> entries;
  for (int i = 0; i < 100; ++i) {
    ARROWPACK_ASSIGN_OR_RAISE(auto data, ap::allocate_buffer(500 * 500 * 8));
    auto* p = reinterpret_cast<double*>(data->mutable_data());
    for (int k = 0; k < 500 * 500; ++k) p[k] = normal(rng);
    ARROWPACK_ASSIGN_OR_RAISE(auto tensor, ap::Tensor::make(ap::float64(), data, {500, 500}));
    entries.emplace_back(i, ap::Value::ndarray(tensor));
  }
  return ap::Value::dict(std::move(entries));
}

Status object_serialization() {
  std::cout << "\n== Arbitrary Object Serialization ==\n";
  ARROWPACK_ASSIGN_OR_RAISE(auto data, random_matrices());
  // buf = pa.serialize(data).to_buffer()
  ARROWPACK_ASSIGN_OR_RAISE(auto serialized, ap::serialize(data));
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, serialized.to_buffer());
  std::cout << ">>> buf.size\n" << buf->size() << "\n";
  // restored_data = pa.deserialize(buf)
  const std::int64_t before = ap::total_allocated_bytes();
  ARROWPACK_ASSIGN_OR_RAISE(auto restored, ap::deserialize(buf));
  const auto& first = restored.as<ap::Dict>()->find(ap::Value(0))->as<ap::Ndarray>()->tensor;
  std::cout << ">>> restored_data[0]\n"
            << first->to_string() << "\n"
            << "(deserialize allocated " << ap::total_allocated_bytes() - before
            << " bytes for 200 MB of matrices: every matrix is a view of buf)\n";
  std::cout << ">>> restored == data\n" << (restored.equals(data) ? "True" : "False") << "\n";

  // components = pa.serialize(data).to_components()
  std::cout << "\n== Component-based Serialization ==\n";
  ARROWPACK_ASSIGN_OR_RAISE(auto components, serialized.to_components());
  std::cout << ">>> len(components['data'])\n" << components.data.size() << "\n";
  const auto& original = data.as<ap::Dict>()->find(ap::Value(0))->as<ap::Ndarray>()->tensor;
  std::cout << "(the body of matrix 0 is the original memory: "
            << (components.data[2]->data() == original->data()->data() ? "yes" : "no") << ")\n";
  ARROWPACK_ASSIGN_OR_RAISE(auto from_components, ap::deserialize_components(components));
  std::cout << ">>> pa.deserialize_components(components) == data\n"
            << (from_components.equals(data) ? "True" : "False") << "\n";
  return Status::OK();
}

// --- Serializing Custom Data Types -------------------------------------------------------
struct MyData {
  std::string name;
  std::vector<std::int64_t> data;
};

Status custom_types() {
  std::cout << "\n== Serializing Custom Data Types ==\n";
  ap::SerializationContext context;
  ARROWPACK_RETURN_NOT_OK(context.register_type<MyData>(
      "MyData",
      [](const MyData& d) {
        return ap::Value::dict({{"name", d.name}, {"data", ap::Value::list({d.data.begin(), d.data.end()})}});
      },
      [](const ap::Value& v) -> ap::Result<MyData> {
        const ap::Dict* d = v.as<ap::Dict>();
        const ap::Value* name = d ? d->find("name") : nullptr;
        const ap::Value* data = d ? d->find("data") : nullptr;
        if (!name || !name->is_string() || !data || !data->is_list()) {
          return Status::TypeError("MyData needs a name and data");
        }
        MyData out{*name->as<std::string>(), {}};
        for (const auto& x : data->as<ap::List>()->items) out.data.push_back(*x.as<std::int64_t>());
        return out;
      }));
  // context.serialize(MyData('foo', [1, 2, 3])).to_buffer()
  ARROWPACK_ASSIGN_OR_RAISE(auto serialized, context.serialize_object(MyData{"foo", {1, 2, 3}}));
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, serialized.to_buffer());
  ARROWPACK_ASSIGN_OR_RAISE(MyData back, context.deserialize_object<MyData>(buf));
  std::cout << ">>> context.deserialize(buf)\nMyData(name='" << back.name << "', data=[";
  for (std::size_t i = 0; i < back.data.size(); ++i) std::cout << (i ? ", " : "") << back.data[i];
  std::cout << "])\n";
  // Without the registration, reading refuses the type instead of running anything.
  ap::SerializationContext stranger;
  std::cout << ">>> another context\n" << stranger.deserialize(buf).status().to_string() << "\n";
  return Status::OK();
}

Status run(const std::string& workdir) {
  // data = [pa.array([1, 2, 3, 4]), pa.array(['foo', 'bar', 'baz', None]),
  //         pa.array([True, None, False, True])]
  // batch = pa.record_batch(data, names=['f0', 'f1', 'f2'])
  ARROWPACK_ASSIGN_OR_RAISE(auto f0, ap::array<std::int64_t>({1, 2, 3, 4}));
  ARROWPACK_ASSIGN_OR_RAISE(auto f1, ap::array<std::string>({"foo", "bar", "baz", std::nullopt}));
  ARROWPACK_ASSIGN_OR_RAISE(auto f2, ap::array<bool>({true, std::nullopt, false, true}));
  ARROWPACK_ASSIGN_OR_RAISE(auto batch, ap::RecordBatch::from_arrays({f0, f1, f2}, {"f0", "f1", "f2"}));
  std::cout << ">>> batch\n" << batch->to_string() << "\n\n";

  ARROWPACK_RETURN_NOT_OK(using_streams(batch));
  ARROWPACK_RETURN_NOT_OK(random_access_files(batch));
  ARROWPACK_RETURN_NOT_OK(big_file(workdir + "/bigfile.arrow"));
  ARROWPACK_RETURN_NOT_OK(object_serialization());
  return custom_types();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string workdir = argc > 1 ? argv[1] : ".";
  Status st = run(workdir);
  if (!st.ok()) {
    std::cerr << "ipc_walkthrough: " << st.to_string() << "\n";
    return 1;
  }
  return 0;
}
