// A C++ producer for a Python consumer (examples/python/receive_from_cpp.py starts it): the
// pyarrow chapter's dict of 100 matrices 500x500, shipped one of three ways.
//
//   ship_to_python socket FD       framed components over the Unix socket FD
//   ship_to_python memfd FD        the blob in a sealed memfd, its descriptor sent over FD
//   ship_to_python zmq ENDPOINT    one ZeroMQ multipart message, PUSH connected to ENDPOINT
//
// Matrix i holds i + k * 1e-6 at row-major position k, so that the consumer can check every
// value. The sender copies nothing: sockets and ZeroMQ get the matrices' own memory; the memfd
// is written once.
#include <iostream>
#include <string>

#include "arrowpack/core/api.h"
#include "arrowpack/registry/serialize.h"
#include "arrowpack/transport/shared_memory.h"
#include "arrowpack/transport/stream.h"
#ifdef ARROWPACK_EXAMPLE_ZMQ
#include "arrowpack/transport/zmq.h"
#endif

namespace ap = arrowpack;

namespace {

ap::Result<ap::Value> seed_dict() {
  std::vector<std::pair<ap::Value, ap::Value>> items;
  for (int i = 0; i < 100; ++i) {
    ARROWPACK_ASSIGN_OR_RAISE(auto data, ap::allocate_buffer(500 * 500 * 8));
    auto* v = reinterpret_cast<double*>(data->mutable_data());
    for (std::int64_t k = 0; k < 500 * 500; ++k) v[k] = i + static_cast<double>(k) * 1e-6;
    ARROWPACK_ASSIGN_OR_RAISE(auto t, ap::Tensor::make(ap::float64(), data, {500, 500}));
    items.emplace_back(i, ap::Value::ndarray(std::move(t)));
  }
  return ap::Value::dict(std::move(items));
}

ap::Status run(const std::string& how, const std::string& where) {
  ARROWPACK_ASSIGN_OR_RAISE(auto value, seed_dict());
  ARROWPACK_ASSIGN_OR_RAISE(auto object, ap::serialize(value));
  if (how == "socket") {
    ARROWPACK_ASSIGN_OR_RAISE(auto components, object.to_components());
    return ap::transport::send(std::stoi(where), components).status();
  }
  if (how == "memfd") {
    ARROWPACK_ASSIGN_OR_RAISE(auto region, ap::transport::send(object));
    return ap::transport::send_fd(std::stoi(where), region.fd());
  }
#ifdef ARROWPACK_EXAMPLE_ZMQ
  if (how == "zmq") {
    ARROWPACK_ASSIGN_OR_RAISE(auto components, object.to_components());
    zmq::context_t context;
    zmq::socket_t push(context, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, -1);  // deliver everything before the context closes
    push.connect(where);
    return ap::transport::send(push, components);
  }
#endif
  return ap::Status::Invalid("unknown way '", how, "' (socket, memfd",
#ifdef ARROWPACK_EXAMPLE_ZMQ
                             ", zmq",
#endif
                             ")");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: ship_to_python socket FD | memfd FD | zmq ENDPOINT\n";
    return 2;
  }
  ap::Status st = run(argv[1], argv[2]);
  if (!st.ok()) {
    std::cerr << "ship_to_python: " << st.to_string() << "\n";
    return 1;
  }
  return 0;
}
