// Fuzz target for the transport frames: the input is what a peer sends down a socket. Every
// message receive() takes from it is reassembled with deserialize_components(), as
// a Value and as a typed map of matrix views.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <map>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/transport/stream.h"
#include "budget.h"

namespace ap = arrowpack;

namespace {
void run(const std::uint8_t* data, std::size_t size) {
  // A memfd stands for the socket: read() gives its bytes, then the end of the stream.
  const int fd = memfd_create("components_fuzz", MFD_CLOEXEC);
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  ap::transport::ReadOptions options;
  options.limits = fuzz_budget::limits();
  ap::DeserializeOptions deserialize;
  deserialize.limits = options.limits;
  deserialize.allow_unknown_types = true;
  for (int i = 0; i < 8; ++i) {
    auto message = ap::transport::receive(fd, options);
    if (!message.ok() || !*message) break;
    (void)ap::deserialize_components(**message, ap::SerializationContext::default_context(), deserialize);
    (void)ap::deserialize_components<std::map<int, ap::EigenView<Eigen::MatrixXd>>>(
        **message, ap::SerializationContext::default_context(), deserialize);
  }
  close(fd);
}
}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "components_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"
