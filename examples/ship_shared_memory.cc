// Two processes on one machine: the parent puts the pyarrow chapter's dict of 100 random
// 500x500 matrices into a sealed shared-memory region and hands it to the child -- as a file
// descriptor over a Unix socket, or by name with --name. The child maps it and gets its
// matrices as Eigen views of the mapping: no byte of matrix data is copied on its side.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <map>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/transport/shared_memory.h"

namespace ap = arrowpack;

namespace {

int read_it(const std::shared_ptr<ap::Buffer>& mapped) {
  const std::int64_t before = ap::default_memory_pool()->bytes_allocated();
  auto views = ap::deserialize<std::map<int, ap::EigenView<Eigen::MatrixXd>>>(mapped).value_or_throw();
  const std::int64_t allocated = ap::default_memory_pool()->bytes_allocated() - before;
  std::size_t inside = 0;
  double trace = 0;
  for (const auto& [k, v] : views) {
    inside += mapped->contains(reinterpret_cast<const std::uint8_t*>(v.map.data()), v.map.size() * 8);
    trace += v.map.trace();
  }
  std::cout << "reader: mapped " << mapped->size() << " bytes; " << views.size() << " matrices, " << inside
            << " of them views of the mapping; bytes allocated while deserializing: " << allocated
            << " (0 bytes of matrix data copied); trace sum " << trace << "\n";
  return inside == views.size() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const bool by_name = argc > 1 && std::strcmp(argv[1], "--name") == 0;
  const std::string name = "arrowpack-example-" + std::to_string(getpid());
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    close(sv[0]);
    int code = 1;
    if (by_name) {
      char ready;
      // The writer is this program, so the reader maps the named region; a reader that does
      // not trust its writer takes the default, a copy (a named region can be truncated).
      if (read(sv[1], &ready, 1) == 1) {
        code = read_it(ap::transport::receive(name, ap::transport::NamedRegion::kMapTrustingWriter).value_or_throw());
      }
    } else {
      auto region = ap::transport::receive_fd(sv[1]).value_or_throw();  // owns the descriptor
      code = read_it(ap::transport::receive(region).value_or_throw());
    }
    std::cout.flush();  // _exit() skips the stream's own flush
    _exit(code);
  }
  close(sv[1]);
  std::map<int, Eigen::MatrixXd> data;
  for (int i = 0; i < 100; ++i) data[i] = Eigen::MatrixXd::Random(500, 500);
  auto object = ap::serialize(data).value_or_throw();
  auto region =
      by_name ? ap::transport::send(object, name).value_or_throw() : ap::transport::send(object).value_or_throw();
  std::cout << "writer: " << region.size() << " bytes in a sealed region (one copy, into shared memory), handed over "
            << (by_name ? "as /dev/shm/" + name : std::string("as a descriptor over a Unix socket")) << "\n";
  std::cout.flush();
  if (by_name) {
    const char ready = 'R';
    if (write(sv[0], &ready, 1) != 1) return 1;
  } else {
    ap::transport::send_fd(sv[0], region.fd()).throw_if_error();
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (by_name) ap::transport::remove_region(name).throw_if_error();
  close(sv[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
