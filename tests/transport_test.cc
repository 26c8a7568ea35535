// Components over pipes, Unix sockets and TCP on loopback, between two processes (fork):
// values, zero-copy on both sides, partial reads and writes, EINTR, and peers that lie or die.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "arrowpack/core/api.h"
#include "arrowpack/registry/serialize.h"
#include "arrowpack/transport/frames.h"
#include "arrowpack/transport/shared_memory.h"
#include "arrowpack/transport/stream.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

// A tensor of `rows` x `cols` doubles whose value at k is k + seed.
TensorPtr tensor_of(std::int64_t rows, std::int64_t cols, double seed) {
  auto data = ok_or_die(allocate_buffer(rows * cols * 8));
  for (std::int64_t k = 0; k < rows * cols; ++k) reinterpret_cast<double*>(data->mutable_data())[k] = k + seed;
  return ok_or_die(Tensor::make(float64(), data, {rows, cols}));
}

Value sample(int which) {
  // 8 MB of tensor data: far more than a pipe or socket buffer holds, so writes are partial.
  return Value::dict({{"id", which},
                      {"big", Value::ndarray(tensor_of(1000, 1000, which))},
                      {"small", tensor_of(2, 3, 0.5)},
                      {"raw", Buffer::from_string(std::string(1000, 'r'))},
                      {"name", "sample"}});
}

// Runs `child` in a forked process (exit code 0 on success) and returns its exit status.
int in_child(const std::function<int()>& child) {
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = child();
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// Starts the child and lets the parent read while it writes (the pipe fills otherwise).
struct Child {
  pid_t pid;
  explicit Child(const std::function<int()>& body) {
    pid = fork();
    if (pid == 0) {
      int code = 1;
      try {
        code = body();
      } catch (...) {
      }
      _exit(code);
    }
  }
  int wait() {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
};

int send_samples(int fd, int count) {
  for (int i = 0; i < count; ++i) {
    auto c = serialize(sample(i)).value_or_throw().to_components().value_or_throw();
    if (!transport::send(fd, c).ok()) return 2;
  }
  close(fd);
  return 0;
}

void check_received(int fd, int count) {
  for (int i = 0; i < count; ++i) {
    SystemMemoryPool pool;
    transport::ReadOptions options;
    options.pool = &pool;
    auto got = ok_or_die(transport::receive(fd, options));
    REQUIRE(got.has_value());
    // One buffer for the whole message (grown as the bytes arrived); every component is a
    // slice of it.
    CHECK(pool.num_allocations() <= 5);
    const std::uint8_t* lo = got->data[0]->data();
    for (const auto& b : got->data) CHECK(b->data() >= lo);
    auto v = ok_or_die(deserialize_components(*got));
    CHECK(v.equals(sample(i)));
    const Dict& d = *v.as<Dict>();
    const auto& big = d.find(Value("big"))->as<Ndarray>()->tensor;
    CHECK(big->value<double>({999, 999}) == 999999.0 + i);
    // Zero-copy on the way in: the tensor is the component's memory.
    bool inside = false;
    for (const auto& b : got->data) inside |= b->data() == big->data()->data();
    CHECK(inside);
    CHECK(pool.bytes_allocated() < 8100000 + 64 * 1024);  // the message, nothing more
  }
  CHECK_FALSE(ok_or_die(transport::receive(fd)).has_value());  // clean end
}

void write_all(int fd, const void* p, std::size_t n) {
  const auto* c = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t w = ::write(fd, c, n);
    if (w <= 0) return;
    c += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

TEST_CASE("components cross a Unix socket, a pipe and TCP on loopback between two processes") {
  SECTION("Unix socket") {
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    Child child([&] {
      close(sv[0]);
      return send_samples(sv[1], 3);
    });
    close(sv[1]);
    check_received(sv[0], 3);
    close(sv[0]);
    CHECK(child.wait() == 0);
  }
  SECTION("pipe") {
    int p[2];
    REQUIRE(pipe(p) == 0);
    Child child([&] {
      close(p[0]);
      return send_samples(p[1], 2);
    });
    close(p[1]);
    check_received(p[0], 2);
    close(p[0]);
    CHECK(child.wait() == 0);
  }
  SECTION("TCP on loopback") {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(listener, 1) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    Child child([&] {
      const int s = socket(AF_INET, SOCK_STREAM, 0);
      if (connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return 3;
      return send_samples(s, 2);
    });
    const int conn = accept(listener, nullptr, nullptr);
    REQUIRE(conn >= 0);
    check_received(conn, 2);
    close(conn);
    close(listener);
    CHECK(child.wait() == 0);
  }
}

TEST_CASE("the sender's tensor data goes to the kernel from the caller's memory") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  auto c = ok_or_die(ok_or_die(serialize(sample(7))).to_components());
  Child reader([&] {
    close(sv[1]);
    auto got = transport::receive(sv[0]);
    return got.ok() && got->has_value() ? 0 : 4;
  });
  close(sv[0]);
  const std::int64_t before = default_memory_pool()->bytes_allocated();
  auto stats = ok_or_die(transport::send(sv[1], c));
  CHECK(default_memory_pool()->bytes_allocated() - before < 4096);  // framing only, no data copy
  CHECK(stats.bytes > 8000000);
  CHECK(stats.system_calls >= 1);
  close(sv[1]);
  CHECK(reader.wait() == 0);
}

TEST_CASE("reads survive signals (EINTR) and data that trickles in") {
  struct sigaction sa {};
  sa.sa_handler = [](int) {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR
  struct sigaction old {};
  REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
  int p[2];
  REQUIRE(pipe(p) == 0);
  const pid_t parent = getpid();
  Child child([&] {
    close(p[0]);
    auto c = serialize(Value::list({1, "two", tensor_of(10, 10, 1)})).value_or_throw().to_components().value_or_throw();
    // Send the message a few bytes at a time, interrupting the reader between pieces.
    int inner[2];
    if (pipe(inner) != 0) return 5;
    if (!transport::send(inner[1], c).ok()) return 6;
    close(inner[1]);
    char chunk[7];
    ssize_t n;
    while ((n = read(inner[0], chunk, sizeof(chunk))) > 0) {
      kill(parent, SIGUSR1);
      write_all(p[1], chunk, static_cast<std::size_t>(n));
      usleep(50);
    }
    close(p[1]);
    return 0;
  });
  close(p[1]);
  auto got = ok_or_die(transport::receive(p[0]));
  REQUIRE(got.has_value());
  CHECK(ok_or_die(deserialize_components(*got)).equals(Value::list({1, "two", tensor_of(10, 10, 1)})));
  close(p[0]);
  CHECK(child.wait() == 0);
  sigaction(SIGUSR1, &old, nullptr);
}

TEST_CASE("peers that die mid-message, lie about sizes or send garbage get typed errors") {
  auto c = ok_or_die(ok_or_die(serialize(sample(1))).to_components());
  // The whole message as bytes, to cut and patch.
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  std::string message;
  {
    Child writer([&] {
      close(sv[0]);
      return transport::send(sv[1], c).ok() ? 0 : 7;
    });
    close(sv[1]);
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(sv[0], buf, sizeof(buf))) > 0) message.append(buf, static_cast<std::size_t>(n));
    close(sv[0]);
    REQUIRE(writer.wait() == 0);
  }
  auto deliver = [&](const std::string& bytes, transport::ReadOptions options = {}) {
    int p[2];
    REQUIRE(pipe(p) == 0);
    Child child([&] {
      close(p[0]);
      write_all(p[1], bytes.data(), bytes.size());
      close(p[1]);
      return 0;
    });
    close(p[1]);
    auto r = transport::receive(p[0], options);
    close(p[0]);
    child.wait();
    return r.status();
  };
  CHECK(deliver(message).ok());
  // The peer dies inside the header, inside the sizes, inside the body.
  CHECK(deliver(message.substr(0, 20)).message() == "the peer closed the stream after 20 of the 32 header bytes");
  CHECK(deliver(message.substr(0, 40)).message().find("inside a message header") != std::string::npos);
  const Status cut = deliver(message.substr(0, message.size() / 2));
  CHECK(cut.is_io_error());
  CHECK(cut.message().find("the peer closed the stream after") != std::string::npos);
  // Sizes past the limit: refused before anything is allocated.
  std::string huge = message;
  const std::int64_t lie = std::int64_t{1} << 50;
  std::memcpy(huge.data() + 32, &lie, 8);
  SystemMemoryPool pool;
  transport::ReadOptions options;
  options.pool = &pool;
  CHECK(deliver(huge, options).is_capacity_error());  // past ReadLimits::max_input_bytes
  CHECK(pool.max_memory() == 0);
  std::string negative = message;
  const std::int64_t minus = -5;
  std::memcpy(negative.data() + 40, &minus, 8);
  CHECK(deliver(negative).is_invalid());
  std::string counts = message;
  const std::int32_t tensors = 9;
  std::memcpy(counts.data() + 8, &tensors, 4);
  CHECK(deliver(counts).message().find("inconsistent counts") != std::string::npos);
  std::string magic = message;
  magic[0] = 'X';
  CHECK(deliver(magic).message() == "not an arrowpack components message (bad magic)");
  transport::ReadOptions small;
  small.limits.max_input_bytes = 1 << 20;
  const Status over = deliver(message, small);
  CHECK(over.is_capacity_error());
  CHECK(over.message().find("ReadLimits::max_input_bytes = 1048576") != std::string::npos);
  // A reader that goes away: the writer gets an IOError, not a SIGPIPE.
  for (bool socket : {true, false}) {
    int fds[2];
    REQUIRE((socket ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds)) == 0);
    close(fds[0]);
    const Status st = transport::send(fds[1], c).status();
    CHECK(st.is_io_error());
    close(fds[1]);
  }
}

TEST_CASE("record batches stream over a socket (the seed's 'this could have been a socket')") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  Child child([&] {
    close(sv[0]);
    auto sink = std::make_shared<io::FdOutputStream>(sv[1], true);
    auto writer = ipc::new_stream(sink, arrowpack::testing::seed_batch()->schema()).value_or_throw();
    for (int i = 0; i < 5; ++i) writer->write_batch(*arrowpack::testing::seed_batch()).throw_if_error();
    writer->close().throw_if_error();
    return sink->close().ok() ? 0 : 8;
  });
  close(sv[1]);
  auto source = std::make_shared<io::FdInputStream>(sv[0], true);
  auto table = ok_or_die(ok_or_die(ipc::open_stream(source))->read_all());
  CHECK(table->num_rows() == 20);
  CHECK(table->batches()[4]->equals(*arrowpack::testing::seed_batch()));
  CHECK(child.wait() == 0);
}

TEST_CASE("shared memory: a sealed memfd handed over by SCM_RIGHTS is read without any copy") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  Child writer([&] {
    close(sv[0]);
    auto object = serialize(sample(3)).value_or_throw();
    auto region = transport::send(object).value_or_throw();
    if (!transport::send_fd(sv[1], region.fd()).ok()) return 9;
    return 0;  // the region outlives this process: the reader holds a descriptor
  });
  close(sv[1]);
  auto received = ok_or_die(transport::receive_fd(sv[0]));
  close(sv[0]);
  REQUIRE(writer.wait() == 0);
  const std::int64_t before = default_memory_pool()->bytes_allocated();
  auto mapped = ok_or_die(transport::receive(received));
  received = transport::SharedRegion();  // closes the descriptor: the mapping keeps the memory
  auto v = ok_or_die(deserialize(mapped));
  CHECK(v.equals(sample(3)));
  const auto& big = v.as<Dict>()->find(Value("big"))->as<Ndarray>()->tensor;
  CHECK(mapped->contains(big->data()->data(), big->data()->size()));     // a view of the mapping
  CHECK(default_memory_pool()->bytes_allocated() - before < 64 * 1024);  // no copy of the 8 MB
}

TEST_CASE("shared memory: named regions appear only when complete, unsealed memfds are refused") {
  const std::string name = "arrowpack-test-" + std::to_string(getpid());
  (void)transport::remove_region(name);
  // A writer that dies before sealing leaves no name behind.
  CHECK(in_child([&] {
          auto writer = transport::SharedMemoryWriter::create(1 << 20, true).value_or_throw();
          std::memset(writer->data(), 7, 1000);
          _exit(0);  // crashed half-way
          return 0;
        }) == 0);
  CHECK(transport::receive(name).status().is_key_error());
  // A complete one, published by another process.
  CHECK(in_child([&] {
          auto region = transport::send(serialize(sample(5)).value_or_throw(), name).value_or_throw();
          return region.size() > 8000000 ? 0 : 10;
        }) == 0);
  auto mapped = ok_or_die(transport::receive(name));
  CHECK(ok_or_die(deserialize(mapped)).equals(sample(5)));
  CHECK(transport::send(ok_or_die(serialize(Value(1))), name).status().is_io_error());  // the name is taken
  REQUIRE(transport::remove_region(name).ok());
  CHECK(ok_or_die(deserialize(mapped)).equals(sample(5)));  // still mapped after the unlink
  CHECK(transport::receive(name).status().is_key_error());
  CHECK(transport::receive("../etc/passwd").status().is_invalid());
  // A memfd that is not sealed could change under the reader.
  auto open_writer = ok_or_die(transport::SharedMemoryWriter::create(64));
  auto region = ok_or_die(transport::SharedMemoryWriter::create(64));
  auto sealed = ok_or_die(region->seal());
  CHECK(ok_or_die(transport::receive(sealed))->size() == 64);
  transport::SharedRegion unsealed(memfd_create("unsealed", MFD_ALLOW_SEALING), 64, "");
  REQUIRE(ftruncate(unsealed.fd(), 64) == 0);
  CHECK(transport::receive(unsealed).status().message() ==
        "shared-memory region is not sealed: its writer could still change it");
  int p[2];
  REQUIRE(pipe(p) == 0);
  transport::SharedRegion read_end(p[0], 0, "");              // owns p[0] now
  CHECK(transport::receive(read_end).status().is_invalid());  // not shared memory at all
  close(p[1]);
  CHECK(open_writer->sink()->write("x", 100).is_capacity_error());
  CHECK(region->seal().status().is_invalid());  // already sealed
}

TEST_CASE("shared memory holds an IPC stream too, read zero-copy from the mapping") {
  auto bytes = arrowpack::testing::write_ipc(*arrowpack::testing::seed_batch(), 3, false);
  auto writer = ok_or_die(transport::SharedMemoryWriter::create(bytes->size()));
  REQUIRE(writer->sink()->write(bytes).ok());
  auto region = ok_or_die(writer->seal());
  auto mapped = ok_or_die(transport::receive(region));
  auto table = ok_or_die(ok_or_die(ipc::open_stream(mapped))->read_all());
  CHECK(table->num_rows() == 12);
  for (const auto& c : table->batches()[2]->columns()) CHECK(arrowpack::testing::points_into(c, *mapped));
}

TEST_CASE("sparse tensors: refused by the framed transports, carried by shared memory as views") {
  auto dense = ok_or_die(Tensor::make(float64(), testing::buffer_of<double>({0, 1, 0, 2, 0, 3}), {2, 3}));
  Value v = Value::list({Value(ok_or_die(SparseTensor::coo_from_dense(*dense))), 4});
  auto object = ok_or_die(serialize(v));
  auto c = ok_or_die(object.to_components());
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  CHECK(transport::send(sv[1], c).status().message() ==
        "components with sparse tensors cannot be framed yet (a shared-memory region carries them)");
  close(sv[0]);
  close(sv[1]);
  auto region = ok_or_die(transport::send(object));
  auto mapped = ok_or_die(transport::receive(region));
  auto back = ok_or_die(deserialize(mapped));
  CHECK(back.equals(v));
  const auto& t = *back.as<List>()->items[0].as<SparseTensorPtr>();
  CHECK(mapped->contains(t->data()->data(), 3 * 8));
}

TEST_CASE("frames: a header frame and the buffers as they are, received frames are checked, not copied") {
  auto so = ok_or_die(serialize(sample(3)));
  auto components = ok_or_die(so.to_components());
  auto header = ok_or_die(transport::header_frame(components));
  std::vector<std::shared_ptr<Buffer>> frames{header};
  frames.insert(frames.end(), components.data.begin(), components.data.end());
  auto back = ok_or_die(transport::from_frames(frames));
  REQUIRE(back.data.size() == components.data.size());
  for (std::size_t i = 0; i < back.data.size(); ++i) CHECK(back.data[i]->data() == components.data[i]->data());
  CHECK(ok_or_die(deserialize_components(back)) == sample(3));

  SECTION("a frame missing, a frame of another size, a wrong magic, a short header") {
    auto fewer = frames;
    fewer.pop_back();
    CHECK(transport::from_frames(fewer).status().is_invalid());
    auto resized = frames;
    resized[2] = ok_or_die(resized[2]->slice(0, resized[2]->size() - 1));
    auto st = transport::from_frames(resized).status();
    CHECK(st.is_invalid());
    CHECK(st.message().find("its header announces") != std::string::npos);
    auto bad = frames;
    std::string h = bad[0]->to_string();
    h[0] = 'X';
    bad[0] = Buffer::from_string(h);
    CHECK(transport::from_frames(bad).status().is_invalid());
    bad[0] = Buffer::from_string("APCOMP01");
    CHECK(transport::from_frames(bad).status().is_invalid());
    CHECK(transport::from_frames({}).status().is_invalid());
  }
  SECTION("the limits: frames and bytes") {
    ReadLimits limits;
    limits.max_frames = 2;
    CHECK(transport::from_frames(frames, limits).status().is_capacity_error());
    limits = ReadLimits{};
    limits.max_input_bytes = 1000;
    CHECK(transport::from_frames(frames, limits).status().is_capacity_error());
  }
}
