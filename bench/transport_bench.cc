// Shipping serialized objects, measured against the physical limits in one run: a memcpy of
// the same bytes and a plain write/read of them through the same kind of channel.
//   - the 200 MB dict of 100 matrices 500x500: components over a Unix socket, through a
//     sealed memfd, over ZeroMQ (when built), beside memcpy and a raw socket write/read;
//   - 100,000 small objects one by one over a Unix socket.
// Sender and receiver are two threads of this process; the socket between them is real.
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/transport/shared_memory.h"
#include "arrowpack/transport/stream.h"
#include "bench_data.h"
#include "summary_reporter.h"
#ifdef ARROWPACK_BENCH_ZMQ
#include "arrowpack/transport/zmq.h"
#endif

namespace ap = arrowpack;

namespace {

using arrowpack::bench::big_dict;
using arrowpack::bench::check;
using arrowpack::bench::kBigBytes;

struct SocketPair {
  int fd[2];
  SocketPair() {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0) throw std::runtime_error("socketpair");
    const int size = 4 << 20;
    for (int s : fd) {
      setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
      setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
  }
  ~SocketPair() {
    close(fd[0]);
    close(fd[1]);
  }
};

void BM_Memcpy(benchmark::State& state) { arrowpack::bench::memcpy_big_dict(state); }

// The matrices' bytes through a socket with plain write/read into fresh memory: the channel's limit.
void BM_RawSocket(benchmark::State& state) {
  SocketPair s;
  for (auto _ : state) {
    std::thread sender([&] {
      for (const auto& [k, m] : big_dict()) {
        const char* p = reinterpret_cast<const char*>(m.data());
        std::size_t left = m.size() * 8;
        while (left > 0) {
          const ssize_t n = write(s.fd[0], p, left);
          if (n <= 0) return;
          p += n;
          left -= static_cast<std::size_t>(n);
        }
      }
    });
    auto in = check(ap::allocate_buffer(kBigBytes));
    std::int64_t got = 0;
    while (got < kBigBytes) {
      const ssize_t n = read(s.fd[1], in->mutable_data() + got, static_cast<std::size_t>(kBigBytes - got));
      if (n <= 0) break;
      got += n;
    }
    sender.join();
    benchmark::DoNotOptimize(in->data());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

void BM_ComponentsSocket(benchmark::State& state) {
  SocketPair s;
  using Views = std::map<int, ap::EigenView<Eigen::MatrixXd>>;
  for (auto _ : state) {
    std::thread sender([&] {
      auto c = check(check(ap::serialize(big_dict())).to_components());
      check(ap::transport::send(s.fd[0], c));
    });
    auto c = check(ap::transport::receive(s.fd[1]));
    auto views = check(ap::deserialize_components<Views>(*c));
    sender.join();
    benchmark::DoNotOptimize(views.size());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

void BM_SharedMemory(benchmark::State& state) {
  using Views = std::map<int, ap::EigenView<Eigen::MatrixXd>>;
  for (auto _ : state) {
    auto region = check(ap::transport::send(check(ap::serialize(big_dict()))));
    auto mapped = check(ap::transport::receive(region));
    auto views = check(ap::deserialize<Views>(mapped));
    benchmark::DoNotOptimize(views.size());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}

#ifdef ARROWPACK_BENCH_ZMQ
void BM_ZeroMQ(benchmark::State& state) {
  using Views = std::map<int, ap::EigenView<Eigen::MatrixXd>>;
  zmq::context_t context;
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.bind("ipc:///tmp/arrowpack-bench-" + std::to_string(getpid()));
  zmq::socket_t push(context, zmq::socket_type::push);
  push.connect(pull.get(zmq::sockopt::last_endpoint));
  for (auto _ : state) {
    std::thread sender([&] {
      auto c = check(check(ap::serialize(big_dict())).to_components());
      ap::transport::send(push, c).throw_if_error();
    });
    auto c = check(ap::transport::receive(pull));
    auto views = check(ap::deserialize_components<Views>(c));
    sender.join();
    benchmark::DoNotOptimize(views.size());
  }
  state.SetBytesProcessed(state.iterations() * kBigBytes);
}
BENCHMARK(BM_ZeroMQ)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

struct Small {
  std::string name;
  std::array<double, 4> values;
  std::int64_t id;
};
constexpr int kSmall = 100000;

void BM_SmallObjectsSocket(benchmark::State& state) {
  SocketPair s;
  for (auto _ : state) {
    std::thread sender([&] {
      for (int i = 0; i < kSmall; ++i) {
        auto c = check(check(ap::serialize(Small{"object", {1, 2, 3, 4}, i})).to_components());
        check(ap::transport::send(s.fd[0], c));
      }
    });
    std::int64_t sum = 0;
    for (int i = 0; i < kSmall; ++i) {
      auto c = check(ap::transport::receive(s.fd[1]));
      sum += check(ap::deserialize_components<Small>(*c)).id;
    }
    sender.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kSmall);
}

// Each small object in its own sealed memfd, mapped and read (a region per object).
void BM_SmallObjectsSharedMemory(benchmark::State& state) {
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (int i = 0; i < kSmall; ++i) {
      auto region = check(ap::transport::send(check(ap::serialize(Small{"object", {1, 2, 3, 4}, i}))));
      auto mapped = check(ap::transport::receive(region));
      sum += check(ap::deserialize<Small>(mapped)).id;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kSmall);
}

#ifdef ARROWPACK_BENCH_ZMQ
void BM_SmallObjectsZeroMQ(benchmark::State& state) {
  zmq::context_t context;
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.bind("ipc:///tmp/arrowpack-bench-small-" + std::to_string(getpid()));
  zmq::socket_t push(context, zmq::socket_type::push);
  push.connect(pull.get(zmq::sockopt::last_endpoint));
  for (auto _ : state) {
    std::thread sender([&] {
      for (int i = 0; i < kSmall; ++i) {
        auto c = check(check(ap::serialize(Small{"object", {1, 2, 3, 4}, i})).to_components());
        ap::transport::send(push, c).throw_if_error();
      }
    });
    std::int64_t sum = 0;
    for (int i = 0; i < kSmall; ++i) {
      sum += check(ap::deserialize_components<Small>(check(ap::transport::receive(pull)))).id;
    }
    sender.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kSmall);
}
BENCHMARK(BM_SmallObjectsZeroMQ)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
#endif

// The same number of messages of the same size as raw write/read: the channel's limit for them.
void BM_SmallRawSocket(benchmark::State& state) {
  SocketPair s;
  auto c = check(check(ap::serialize(Small{"object", {1, 2, 3, 4}, 1})).to_components());
  std::int64_t size = 0;
  for (const auto& b : c.data) size += b->size();
  std::string message(static_cast<std::size_t>(size), 'x');
  for (auto _ : state) {
    std::thread sender([&] {
      for (int i = 0; i < kSmall; ++i) {
        if (write(s.fd[0], message.data(), message.size()) < 0) return;
      }
    });
    std::string in(message.size(), '\0');
    for (int i = 0; i < kSmall; ++i) {
      std::size_t got = 0;
      while (got < in.size()) {
        const ssize_t n = read(s.fd[1], in.data() + got, in.size() - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
    }
    sender.join();
  }
  state.SetItemsProcessed(state.iterations() * kSmall);
  state.counters["message_bytes"] = static_cast<double>(size);
}

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RawSocket)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ComponentsSocket)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SharedMemory)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SmallObjectsSocket)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(BM_SmallRawSocket)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(BM_SmallObjectsSharedMemory)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  (void)big_dict();
  arrowpack::bench::SummaryReporter rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  const double copy = rep.time("BM_Memcpy"), raw = rep.time("BM_RawSocket");
  std::cout << "\nSummary (same run; the 200 MB dict, milliseconds per transfer)\n";
  std::cout << "  memcpy into fresh memory: " << copy << " ms; raw socket write/read: " << raw << " ms\n";
  for (const char* n : {"BM_ComponentsSocket", "BM_SharedMemory", "BM_ZeroMQ"}) {
    const double t = rep.time(n);
    if (t <= 0) continue;
    std::cout << "  " << n + 3 << ": " << t << " ms = " << t / copy << "x memcpy, " << t / raw
              << "x the raw socket (serialize + send + receive + deserialize)\n";
  }
  const double small_raw = rep.time("BM_SmallRawSocket");
  for (const char* n : {"BM_SmallObjectsSocket", "BM_SmallObjectsSharedMemory", "BM_SmallObjectsZeroMQ"}) {
    const double t = rep.time(n);
    if (t <= 0 || small_raw <= 0) continue;
    std::cout << "  100,000 small objects, " << n + 15 << ": " << t << " ms (" << t * 1e3 / kSmall
              << " us each) = " << t / small_raw << "x raw socket write/read of messages of the same size ("
              << small_raw << " ms)\n";
  }
  benchmark::Shutdown();
  return 0;
}
