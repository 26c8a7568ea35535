// Fuzz target for ZeroMQ multipart receive: the input is cut into frames (each a 16-bit
// little-endian length, then that many bytes), sent as one multipart message over an
// in-process PAIR, taken with receive() and reassembled.
#include <cstdint>
#include <cstring>

#include "arrowpack/adapters/api.h"
#include "arrowpack/transport/zmq.h"
#include "budget.h"

namespace ap = arrowpack;

namespace {
struct Pair {
  zmq::context_t context{1};
  zmq::socket_t in{context, zmq::socket_type::pair};
  zmq::socket_t out{context, zmq::socket_type::pair};
  Pair() {
    in.bind("inproc://zmq_fuzz");
    out.connect("inproc://zmq_fuzz");
  }
};

Pair& pair() {
  static Pair* p = new Pair();  // never destroyed: ZeroMQ's threads outlive static destruction
  return *p;
}

void run(const std::uint8_t* data, std::size_t size) {
  std::vector<zmq::message_t> frames;
  std::size_t pos = 0;
  while (pos < size && frames.size() < 4096) {
    std::uint16_t n = 0;
    std::memcpy(&n, data + pos, std::min<std::size_t>(2, size - pos));
    pos += 2;
    const std::size_t take = std::min<std::size_t>(n, pos < size ? size - pos : 0);
    frames.emplace_back(data + std::min(pos, size), take);
    pos += take;
  }
  if (frames.empty()) return;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    pair().out.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  ap::transport::ReadOptions options;
  options.limits = fuzz_budget::limits();
  auto c = ap::transport::receive(pair().in, options);
  if (!c.ok()) return;
  ap::DeserializeOptions deserialize;
  deserialize.limits = options.limits;
  deserialize.allow_unknown_types = true;
  (void)ap::deserialize_components(*c, ap::SerializationContext::default_context(), deserialize);
}
}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  (void)pair();  // ZeroMQ's own allocations happen once, outside the budget
  fuzz_budget::within_budget(size, "zmq_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"
