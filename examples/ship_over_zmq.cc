// Two processes talking ZeroMQ over TCP on loopback: a PUSH/PULL pair ships the pyarrow chapter's dict
// of 100 random 500x500 matrices (the sender hands ZeroMQ the matrices' own memory, the
// receiver views the frames), then a REQ/REP pair ships MyData, a registered type.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <zmq.hpp>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/transport/zmq.h"

namespace ap = arrowpack;

namespace {

// The seed's MyData: a class with a custom serializer.
struct MyData {
  std::string name;
  std::int64_t value;
};

void register_my_data(ap::SerializationContext& context) {
  context
      .register_type<MyData>(
          "MyData",
          [](const MyData& d) -> ap::Result<ap::Value> {
            return ap::Value::dict({{"name", d.name}, {"value", d.value}});
          },
          [](const ap::Value& v) -> ap::Result<MyData> {
            const ap::Dict* d = v.as<ap::Dict>();
            if (!d) return ap::Status::TypeError("MyData from a ", v.kind_name());
            return MyData{*d->find(ap::Value("name"))->as<std::string>(),
                          *d->find(ap::Value("value"))->as<std::int64_t>()};
          })
      .throw_if_error();
}

// A TCP port on 127.0.0.1 that is free now.
int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("no free port");
  }
  close(s);
  return ntohs(addr.sin_port);
}

int receiver(const std::string& pull_endpoint, const std::string& rep_endpoint) {
  zmq::context_t context;
  zmq::socket_t pull(context, zmq::socket_type::pull);
  // A receiving socket is bounded before it connects: libzmq drops a peer announcing a frame
  // beyond ReadLimits::max_input_bytes instead of allocating for it.
  ap::transport::limit_message_size(pull).throw_if_error();
  pull.connect(pull_endpoint);
  auto c = ap::transport::receive(pull).value_or_throw();
  auto views = ap::deserialize_components<std::map<int, ap::EigenView<Eigen::MatrixXd>>>(c).value_or_throw();
  std::size_t in_frames = 0;
  for (const auto& [k, v] : views) {
    for (const auto& b : c.data)
      in_frames += b->contains(reinterpret_cast<const std::uint8_t*>(v.map.data()), v.map.size() * 8);
  }
  std::cout << "PULL: " << c.data.size() << " frames, " << views.size() << " matrices, " << in_frames
            << " of them views of the received frames (0 bytes of matrix data copied)\n";

  zmq::socket_t rep(context, zmq::socket_type::rep);
  ap::transport::limit_message_size(rep).throw_if_error();
  rep.connect(rep_endpoint);
  ap::SerializationContext ctx;
  register_my_data(ctx);
  auto request = ap::transport::receive(rep).value_or_throw();
  auto value = ap::deserialize_components(request, ctx).value_or_throw();
  const MyData* d = value.as_object<MyData>();
  std::cout << "REP: got MyData{" << d->name << ", " << d->value << "}\n";
  auto reply =
      ctx.serialize_object(MyData{d->name + " (seen)", d->value + 1}).value_or_throw().to_components().value_or_throw();
  ap::transport::send(rep, reply).throw_if_error();
  std::cout.flush();
  return in_frames == views.size() ? 0 : 1;
}

}  // namespace

int main() {
  // Forking a process whose ZeroMQ context runs I/O threads is unsafe, so the processes fork
  // first, on two loopback ports picked (and released) beforehand.
  const std::string push_at = "tcp://127.0.0.1:" + std::to_string(free_port());
  const std::string req_at = "tcp://127.0.0.1:" + std::to_string(free_port());
  const pid_t child = fork();
  if (child == 0) _exit(receiver(push_at, req_at));
  zmq::context_t context;
  zmq::socket_t push(context, zmq::socket_type::push);
  push.bind(push_at);
  zmq::socket_t req(context, zmq::socket_type::req);
  ap::transport::limit_message_size(req).throw_if_error();  // it receives the reply
  req.bind(req_at);

  std::map<int, Eigen::MatrixXd> data;
  for (int i = 0; i < 100; ++i) data[i] = Eigen::MatrixXd::Random(500, 500);
  const std::int64_t before = ap::default_memory_pool()->bytes_allocated();
  auto components = ap::serialize(data).value_or_throw().to_components().value_or_throw();
  ap::transport::send(push, components).throw_if_error();
  std::cout << "PUSH: " << components.data.size() << " frames handed to ZeroMQ; user-space bytes allocated: "
            << ap::default_memory_pool()->bytes_allocated() - before
            << " (metadata only: the frames are the matrices' memory)\n";
  std::cout.flush();

  ap::SerializationContext ctx;
  register_my_data(ctx);
  auto request = ctx.serialize_object(MyData{"seed", 41}).value_or_throw().to_components().value_or_throw();
  ap::transport::send(req, request).throw_if_error();
  auto answer = ap::deserialize_components(ap::transport::receive(req).value_or_throw(), ctx).value_or_throw();
  const MyData* back = answer.as_object<MyData>();
  std::cout << "REQ: reply MyData{" << back->name << ", " << back->value << "}\n";
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
