// The golden integration files other Arrow implementations wrote: arrowpack reads the
// stream and the file of every case it supports, zero-copy from a memory map, and the two
// agree. Cases that need a later issue are refused with NotImplemented, by name.
#include <dirent.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "arrowpack/core/api.h"
#include "integration_json.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<TablePtr> read_mapped(const std::string& path, bool file, std::shared_ptr<Buffer>* region,
                             const ipc::IpcReadOptions& options = {}) {
  ARROWPACK_ASSIGN_OR_RAISE(auto mm, io::MemoryMappedFile::open(path));
  *region = mm->buffer();
  if (file) {
    ARROWPACK_ASSIGN_OR_RAISE(auto r, ipc::open_file(mm, options));
    return r->read_all();
  }
  ARROWPACK_ASSIGN_OR_RAISE(auto r, ipc::open_stream(mm, options));
  return r->read_all();
}

// `table` written by arrowpack as a stream and as a file, each read back.
void check_rewrites(const Table& table) {
  for (bool file : {false, true}) {
    auto sink = ok_or_die(io::BufferOutputStream::create());
    ipc::IpcWriteOptions options;
    options.unify_dictionaries = file;
    std::shared_ptr<ipc::StreamWriter> writer =
        file ? std::shared_ptr<ipc::StreamWriter>(ok_or_die(ipc::new_file(sink, table.schema(), options)))
             : ok_or_die(ipc::new_stream(sink, table.schema(), options));
    REQUIRE(writer->write_table(table).ok());
    REQUIRE(writer->close().ok());
    auto bytes = ok_or_die(sink->finish());
    auto back = file ? ok_or_die(ok_or_die(ipc::open_file(bytes))->read_all())
                     : ok_or_die(ok_or_die(ipc::open_stream(bytes))->read_all());
    CHECK(back->equals(table));
  }
}

}  // namespace

TEST_CASE("golden integration files: every case read, stream and file agree, big-endian equals little-endian",
          "[gold]") {
  const std::string root = arrowpack::testing::gold_integration_dir();
  int read = 0;
  for (const auto& folder : list_dir(root)) {
    for (const auto& entry : list_dir(root + "/" + folder)) {
      if (entry.size() < 7 || entry.substr(entry.size() - 7) != ".stream") continue;
      const std::string name = entry.substr(0, entry.size() - 7);
      const std::string base = root + "/" + folder + "/" + name;
      INFO(folder << "/" << name);
      std::shared_ptr<Buffer> stream_region, file_region;
      auto stream = read_mapped(base + ".stream", false, &stream_region);
      auto file = read_mapped(base + ".arrow_file", true, &file_region);
      REQUIRE(stream.ok());
      REQUIRE(file.ok());
      if (name == "generated_map_non_canonical") {
        // The golden stream spells the map's fields entries/key/value, the golden file
        // some_entries/some_key/some_value (as its integration JSON says); the data agree.
        CHECK((*stream)->num_rows() == (*file)->num_rows());
        CHECK((*file)->schema()->field(0)->type()->field(0)->name() == "some_entries");
      } else {
        CHECK((*stream)->equals(**file));
      }
      const bool big_endian = folder == "1.0.0-bigendian";
      if (big_endian) {
        // Converted as read: equal to the little-endian twin, and refused when asked not to.
        std::shared_ptr<Buffer> twin_region;
        auto twin = read_mapped(root + "/1.0.0-littleendian/" + name + ".stream", false, &twin_region);
        REQUIRE(twin.ok());
        CHECK((*stream)->equals(**twin));
        ipc::IpcReadOptions as_is;
        as_is.ensure_native_endian = false;
        CHECK(read_mapped(base + ".stream", false, &twin_region, as_is).status().is_not_implemented());
        CHECK(read_mapped(base + ".arrow_file", true, &twin_region, as_is).status().is_not_implemented());
      } else if (folder != "2.0.0-compression") {
        // Read in place; compressed or byte-swapped bodies need new memory.
        for (const auto& batch : (*stream)->batches()) {
          for (const auto& c : batch->columns()) CHECK(arrowpack::testing::points_into(c, *stream_region));
        }
      }
      check_rewrites(**stream);
      ++read;
    }
  }
  CHECK(read >= 59);  // the cases of arrow-testing 9cfebfef (../shared); later checkouts have more
}

TEST_CASE("golden integration files equal their integration JSON, read by an independent decoder", "[gold]") {
  const std::string root = arrowpack::testing::gold_integration_dir();
  int compared = 0;
  for (const auto& folder : list_dir(root)) {
    for (const auto& entry : list_dir(root + "/" + folder)) {
      if (entry.size() < 8 || entry.substr(entry.size() - 8) != ".json.gz") continue;
      const std::string name = entry.substr(0, entry.size() - 8);
      INFO(folder << "/" << name);
      auto expected = arrowpack::testing::read_integration_json(root + "/" + folder + "/" + entry);
      REQUIRE(expected.ok());
      // The golden stream of map_non_canonical spells its map fields differently from the
      // JSON (see above); its file follows the JSON.
      for (const char* ext : {".arrow_file", ".stream"}) {
        if (name == "generated_map_non_canonical" && std::string(ext) == ".stream") continue;
        std::shared_ptr<Buffer> region;
        auto table = read_mapped(root + "/" + folder + "/" + name + ext, std::string(ext) == ".arrow_file", &region);
        REQUIRE(table.ok());
        CHECK((*table)->schema()->equals(*expected->schema, true));
        REQUIRE((*table)->batches().size() == expected->batches.size());
        for (std::size_t b = 0; b < expected->batches.size(); ++b) {
          const auto& ours = (*table)->batches()[b];
          const auto& theirs = expected->batches[b];
          REQUIRE(ours->num_rows() == theirs->num_rows());
          for (int c = 0; c < ours->num_columns(); ++c) {
            INFO("batch " << b << ", column " << ours->schema()->field(c)->name());
            CHECK(ours->column(c).equals(theirs->column(c)));
          }
        }
      }
      ++compared;
    }
  }
  CHECK(compared == 59);
}
