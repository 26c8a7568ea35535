// Two processes: the parent sends 200,000 market ticks over a Unix socket as a row stream
// (adapters/row_stream.h): the schema once, then record batches of 256 ticks gathered as
// they are written one at a time. The child reads them batch by batch, checks each against
// what was sent, and prints what crossed the socket. The same bytes are an Arrow IPC stream:
// `pyarrow.ipc.open_stream` reads them as a table.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

#include "arrowpack/adapters/row_stream.h"

namespace ap = arrowpack;

struct Tick {
  std::string symbol;
  double bid = 0, ask = 0;
  std::int64_t time_ns = 0;
  std::optional<double> last;  // no trade yet: null
  bool operator==(const Tick&) const = default;
};

template <>
struct arrowpack::column_names<Tick> {
  static constexpr std::array<std::string_view, 5> names = {"symbol", "bid", "ask", "time_ns", "last"};
};

namespace {

constexpr int kTicks = 200000;
constexpr std::int64_t kRowsPerBatch = 256;

Tick tick(int i) {
  static const char* const kSymbols[] = {"AAPL", "MSFT", "NVDA", "BRK.B", "ASML"};
  Tick t{kSymbols[i % 5], 100.0 + 0.01 * (i % 1000), 100.01 + 0.01 * (i % 1000),
         std::int64_t{1764806400} * 1000000000 + std::int64_t{i} * 1000, std::nullopt};
  if (i % 3 != 0) t.last = t.bid + 0.005;
  return t;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int send(int fd) {
  const auto start = std::chrono::steady_clock::now();
  auto sink = std::make_shared<ap::io::FdOutputStream>(fd, /*owns_fd=*/true);
  auto writer = ap::RowStreamWriter<Tick>::open(sink, {.rows_per_batch = kRowsPerBatch}).value_or_throw();
  for (int i = 0; i < kTicks; ++i) writer.write(tick(i)).throw_if_error();
  writer.close().throw_if_error();
  sink->close().throw_if_error();
  std::cout << "sender: " << kTicks << " ticks in " << writer.batches_written() << " batches, "
            << writer.bytes_written() << " bytes (" << writer.bytes_written() / kTicks << " per tick), "
            << static_cast<int>(seconds_since(start) * 1000) << " ms" << std::endl;
  return 0;
}

int receive(int fd) {
  const auto start = std::chrono::steady_clock::now();
  auto source = std::make_shared<ap::io::FdInputStream>(fd, /*owns_fd=*/true);
  auto reader = ap::RowStreamReader<Tick>::open(source).value_or_throw();
  int received = 0;
  while (auto batch = reader.read_next_batch().value_or_throw()) {
    for (const Tick& t : *batch) {
      if (!(t == tick(received))) {
        std::cerr << "receiver: tick " << received << " differs from what was sent\n";
        return 1;
      }
      ++received;
    }
  }
  if (received != kTicks) {
    std::cerr << "receiver: " << received << " ticks of " << kTicks << "\n";
    return 1;
  }
  std::string columns;  // the schema's lines (one per field), on one line
  for (char c : reader.schema()->to_string()) columns += c == '\n' ? std::string("; ") : std::string(1, c);
  std::cout << "receiver: " << received << " ticks in " << reader.batches_read()
            << " batches, each equal to what was sent, " << static_cast<int>(seconds_since(start) * 1000)
            << " ms; columns " << columns << std::endl;  // flushed before _exit
  return 0;
}

}  // namespace

int main() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    std::perror("socketpair");
    return 1;
  }
  const pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  try {
    if (child == 0) {
      close(fds[0]);
      _exit(receive(fds[1]));
    }
    close(fds[1]);
    const int sent = send(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    return sent != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  } catch (const std::exception& e) {
    std::cerr << (child == 0 ? "receiver: " : "sender: ") << e.what() << "\n";
    if (child == 0) _exit(1);
    return 1;
  }
}
