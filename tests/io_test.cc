#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <thread>

#include "arrowpack/core/io.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::scratch_dir;

TEST_CASE("BufferOutputStream collects writes into one buffer") {
  auto out = io::BufferOutputStream::create(4).value_or_throw();
  REQUIRE(out->write(std::string_view("hello ")).ok());
  REQUIRE(out->write(std::string_view("world")).ok());
  CHECK(*out->tell() == 11);
  auto buf = out->getvalue().value_or_throw();
  CHECK(buf->view() == "hello world");
  CHECK(out->closed());
  CHECK(out->write(std::string_view("x")).is_io_error());
}

TEST_CASE("BufferReader hands out slices of its buffer, no copies") {
  auto src = Buffer::from_string("0123456789");
  io::BufferReader reader(src);
  CHECK(reader.supports_zero_copy());
  auto a = reader.read(4).value_or_throw();
  CHECK(a->data() == src->data());
  CHECK(a->view() == "0123");
  auto b = reader.read(100).value_or_throw();
  CHECK(b->data() == src->data() + 4);
  CHECK(b->size() == 6);
  CHECK(reader.read(1).value_or_throw()->size() == 0);
  CHECK(reader.read_at(8, 2).value_or_throw()->view() == "89");
  CHECK(reader.read_at(11, 1).status().is_io_error());
  CHECK(reader.seek(11).is_io_error());
  CHECK(reader.read_at(-1, 1).status().is_invalid());
}

TEST_CASE("OS files: FileOutputStream then ReadableFile (copies into the pool)") {
  const std::string path = scratch_dir() + "/io_test_osfile.bin";
  {
    auto out = io::FileOutputStream::open(path).value_or_throw();
    REQUIRE(out->write(std::string_view("some data")).ok());
    CHECK(*out->tell() == 9);
    REQUIRE(out->close().ok());
  }
  SystemMemoryPool pool;
  auto in = io::ReadableFile::open(path, &pool).value_or_throw();
  CHECK_FALSE(in->supports_zero_copy());
  CHECK(*in->get_size() == 9);
  auto buf = in->read(4).value_or_throw();
  CHECK(buf->view() == "some");
  CHECK(pool.bytes_allocated() > 0);
  CHECK(in->read_at(5, 100).value_or_throw()->view() == "data");
  REQUIRE(in->close().ok());
  CHECK(in->read(1).status().is_io_error());
  CHECK(io::ReadableFile::open(scratch_dir() + "/does-not-exist").status().is_io_error());
  auto err = io::FileOutputStream::open("/nonexistent-dir/x").status();
  CHECK(err.is_io_error());
  CHECK(err.message().find("/nonexistent-dir/x") != std::string::npos);
}

TEST_CASE("MemoryMappedFile reads are slices of the mapping, alive after close") {
  const std::string path = scratch_dir() + "/io_test_mmap.bin";
  {
    auto out = io::FileOutputStream::open(path).value_or_throw();
    REQUIRE(out->write(std::string_view("mapped bytes")).ok());
  }
  auto mm = io::MemoryMappedFile::open(path).value_or_throw();
  CHECK(mm->supports_zero_copy());
  auto region = mm->buffer();
  auto part = mm->read_at(7, 5).value_or_throw();
  CHECK(part->data() == region->data() + 7);
  REQUIRE(mm->close().ok());
  mm.reset();
  region.reset();
  CHECK(part->view() == "bytes");  // the slice keeps the mapping alive
  CHECK(io::MemoryMappedFile::open(path)->get()->write("x", 1).is_io_error());
}

TEST_CASE("MemoryMappedFile::create maps a new file read-write") {
  const std::string path = scratch_dir() + "/io_test_mmap_rw.bin";
  auto mm = io::MemoryMappedFile::create(path, 8).value_or_throw();
  REQUIRE(mm->write("abcdefgh", 8).ok());
  CHECK(mm->write("x", 1).is_capacity_error());
  auto again = io::MemoryMappedFile::open(path).value_or_throw();
  CHECK(again->buffer()->view() == "abcdefgh");
  auto empty = io::MemoryMappedFile::create(scratch_dir() + "/io_test_empty.bin", 0).value_or_throw();
  CHECK(*empty->get_size() == 0);
}

TEST_CASE("streams over a pipe: partial reads are completed, EOF ends reads") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  io::FdInputStream in(fds[0], true);
  std::thread writer([fd = fds[1]] {
    io::FdOutputStream out(fd, true);
    for (int i = 0; i < 100; ++i) (void)out.write(std::string_view("0123456789"));
  });
  auto all = in.read(1000).value_or_throw();
  writer.join();
  CHECK(all->size() == 1000);
  CHECK(all->view().substr(990) == "0123456789");
  CHECK(in.read(10).value_or_throw()->size() == 0);
}

TEST_CASE("read_fully grows with the bytes that arrive, not with the length asked") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  SystemMemoryPool pool;
  io::FdInputStream in(fds[0], true, &pool);
  {
    io::FdOutputStream out(fds[1], true);
    REQUIRE(out.write(std::string_view("short")).ok());
  }
  // A hostile header could announce a terabyte; only what arrives is allocated.
  auto buf = io::read_fully(&in, std::int64_t{1} << 40, &pool).value_or_throw();
  CHECK(buf->view() == "short");
  CHECK(pool.max_memory() <= (std::int64_t{1} << 21));
}

TEST_CASE("MockOutputStream counts what would be written") {
  io::MockOutputStream counter;
  REQUIRE(counter.write("abc", 3).ok());
  REQUIRE(counter.write(Buffer::from_string(std::string(100, 'x'))).ok());
  CHECK(*counter.tell() == 103);
  CHECK(counter.write("a", -1).is_invalid());
  REQUIRE(counter.close().ok());
  CHECK(counter.closed());
  CHECK(counter.write("a", 1).is_io_error());
}
