// Writes the files Arrow JS must read: the seed batch 5x as a stream and 10x as a file,
// and one stream and one file per supported type (see tests/test_data.cc).
#include <filesystem>
#include <iostream>

#include "test_data.h"

namespace ap = arrowpack;

namespace {
ap::Status write(const std::string& path, const ap::RecordBatchPtr& batch, int times, bool file) {
  auto bytes = ap::testing::write_ipc(*batch, times, file);
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
  if (!st.ok()) {
    std::cerr << "write_interop_files: " << st.to_string() << "\n";
    return 1;
  }
  return 0;
}
