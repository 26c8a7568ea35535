// The ZeroMQ transport between two processes: PUSH/PULL and REQ/REP on loopback, zero-copy
// on the receiving side, and messages that do not follow the format.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <zmq.hpp>

#include "arrowpack/core/api.h"
#include "arrowpack/registry/serialize.h"
#include "arrowpack/transport/zmq.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {

TensorPtr iota_tensor(std::int64_t n, double base) {
  auto data = ok_or_die(allocate_buffer(n * 8));
  for (std::int64_t k = 0; k < n; ++k) reinterpret_cast<double*>(data->mutable_data())[k] = base + k;
  return ok_or_die(Tensor::make(float64(), data, {n}));
}

Value payload(int i) {
  return Value::dict(
      {{"i", i}, {"big", Value::ndarray(iota_tensor(1 << 20, i))}, {"raw", Buffer::from_string("bytes")}});
}

// A fresh ipc:// endpoint. Processes are forked before any ZeroMQ context exists (forking a
// process whose context runs I/O threads can deadlock the child), so the endpoint is chosen
// up front rather than learnt from a bind.
std::string endpoint_name() {
  static int n = 0;
  return "ipc:///tmp/arrowpack-zmq-test-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

int child_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace

TEST_CASE("ZeroMQ: PUSH/PULL between two processes, frames read without copies") {
  const std::string endpoint = endpoint_name();
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    {
      zmq::context_t ctx;
      zmq::socket_t push(ctx, zmq::socket_type::push);
      push.connect(endpoint);
      for (int i = 0; i < 3 && code == 0; ++i) {
        auto c = serialize(payload(i)).value_or_throw().to_components().value_or_throw();
        if (!transport::send(push, c).ok()) code = 2;
      }
    }  // the context waits until everything is sent (linger)
    _exit(code);
  }
  zmq::context_t context;
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.bind(endpoint);
  for (int i = 0; i < 3; ++i) {
    auto c = ok_or_die(transport::receive(pull));
    auto v = ok_or_die(deserialize_components(c));
    CHECK(v.equals(payload(i)));
    const auto& big = v.as<Dict>()->find(Value("big"))->as<Ndarray>()->tensor;
    bool in_a_frame = false;
    for (const auto& b : c.data) in_a_frame |= b->contains(big->data()->data(), big->data()->size());
    CHECK(in_a_frame);  // the tensor is the received frame's memory
  }
  CHECK(child_status(pid) == 0);
}

TEST_CASE("ZeroMQ: REQ/REP round trips, and messages that do not follow the format") {
  const std::string endpoint = endpoint_name();
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 0;
    {
      zmq::context_t ctx;
      zmq::socket_t req(ctx, zmq::socket_type::req);
      req.connect(endpoint);
      auto c = serialize(Value::list({"ping", 1})).value_or_throw().to_components().value_or_throw();
      if (!transport::send(req, c).ok()) code = 3;
      auto answer = transport::receive(req);
      if (!answer.ok() || !deserialize_components(*answer).value_or_throw().equals(Value::list({"pong", 2}))) code = 4;
      // Then a message that is not ours, and one whose counts lie.
      req.send(zmq::str_buffer("hello"), zmq::send_flags::none);
      zmq::message_t reply;
      (void)req.recv(reply);
      char header[32] = {'A', 'P', 'C', 'O', 'M', 'P', '0', '1'};  // the framing's magic, no buffer count
      const std::int32_t tensors = 5;
      std::memcpy(header + 8, &tensors, 4);
      req.send(zmq::buffer(header), zmq::send_flags::sndmore);
      req.send(zmq::str_buffer("only one frame"), zmq::send_flags::none);
      (void)req.recv(reply);
    }
    _exit(code);
  }
  zmq::context_t context;
  zmq::socket_t rep(context, zmq::socket_type::rep);
  rep.bind(endpoint);
  auto c = ok_or_die(transport::receive(rep));
  CHECK(ok_or_die(deserialize_components(c)).equals(Value::list({"ping", 1})));
  REQUIRE(transport::send(rep, ok_or_die(ok_or_die(serialize(Value::list({"pong", 2}))).to_components())).ok());
  CHECK(transport::receive(rep).status().message() ==
        "not an arrowpack components message (a header frame of 5 bytes)");
  rep.send(zmq::str_buffer("ok"), zmq::send_flags::none);
  CHECK(transport::receive(rep).status().message().find("inconsistent counts") != std::string::npos);
  rep.send(zmq::str_buffer("ok"), zmq::send_flags::none);
  CHECK(child_status(pid) == 0);
  Components broken;
  broken.num_tensors = 1;
  CHECK(transport::send(rep, broken).is_invalid());
}
