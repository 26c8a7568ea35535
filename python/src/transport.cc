// Serialized objects between processes, from Python: framed components over sockets and
// pipes (a descriptor), the frames of one message for pyzmq, and sealed shared-memory
// regions handed over by descriptor. What arrives is viewed, not copied: the mapping of a
// region, or pyzmq's frames, or the one buffer a socket's message is read into.
#include <nanobind/stl/string.h>

#include "arrowpack/transport/frames.h"
#include "arrowpack/transport/shared_memory.h"
#include "arrowpack/transport/stream.h"
#include "common.h"

namespace arrowpack::python {

namespace {

// A sealed region in Python: its descriptor (owned) and size.
struct PyRegion {
  std::shared_ptr<transport::SharedRegion> region;
};

int fd_of(nb::handle obj) {
  if (PyLong_Check(obj.ptr())) return nb::cast<int>(obj);
  if (nb::hasattr(obj, "fileno")) return nb::cast<int>(obj.attr("fileno")());
  raise_status(Status::TypeError("expected a file descriptor or an object with fileno()"));
}

}  // namespace

void bind_transport(nb::module_& m) {
  m.def(
      "_send_fd",
      [](nb::handle fd, nb::handle components) {
        Components c = components_from_dict(components);
        const int f = fd_of(fd);
        Result<transport::WriteStats> r = Status::OK();
        {
          nb::gil_scoped_release unlocked;  // the buffers take the GIL themselves when they go
          r = transport::send(f, c);
        }
        check(r.status());
      },
      nb::arg("fd"), nb::arg("components"));
  m.def(
      "_receive_fd",
      [](nb::handle fd) -> nb::object {
        const int f = fd_of(fd);
        Result<std::optional<Components>> r = Status::OK();
        {
          nb::gil_scoped_release unlocked;
          r = transport::receive(f);
        }
        auto c = check(std::move(r));
        if (!c) return nb::none();
        return components_to_dict(std::move(*c));
      },
      nb::arg("fd"));
  m.def(
      "_frames",
      [](nb::handle components) {
        Components c = components_from_dict(components);
        nb::list out;
        out.append(wrap_buffer(check(transport::header_frame(c))));
        for (auto& b : c.data) out.append(wrap_buffer(std::move(b)));
        return out;
      },
      nb::arg("components"));
  m.def(
      "_from_frames",
      [](nb::handle frames) {
        std::vector<std::shared_ptr<Buffer>> buffers;
        for (nb::handle f : frames) {
          // pyzmq's Frame exposes its memory through .buffer (a memoryview) and the protocol.
          buffers.push_back(check(buffer_from_object(f)));
        }
        return components_to_dict(check(transport::from_frames(std::move(buffers))));
      },
      nb::arg("frames"));

  nb::class_<PyRegion>(m, "SharedRegion", "A sealed shared-memory region (a memfd): its descriptor and size.")
      .def_prop_ro("fd", [](const PyRegion& r) { return r.region->fd(); })
      .def_prop_ro("size", [](const PyRegion& r) { return r.region->size(); })
      .def("__repr__", [](const PyRegion& r) {
        return "<arrowpack.SharedRegion fd=" + std::to_string(r.region->fd()) +
               " size=" + std::to_string(r.region->size()) + ">";
      });
  m.def(
      "_send_shared",
      [](nb::handle components) {
        // The contiguous form of the components' object, written once into a new memfd.
        Components c = components_from_dict(components);
        auto object = check(SerializedObject::from_components(c));
        auto region = check(transport::send(object));
        return PyRegion{std::make_shared<transport::SharedRegion>(std::move(region))};
      },
      nb::arg("components"));
  m.def(
      "_send_region",
      [](nb::handle socket, const PyRegion& r) { check(transport::send_fd(fd_of(socket), r.region->fd())); },
      nb::arg("socket"), nb::arg("region"));
  m.def(
      "_receive_region",
      [](nb::handle socket) {
        const int f = fd_of(socket);
        Result<transport::SharedRegion> r = Status::OK();
        {
          nb::gil_scoped_release unlocked;
          r = transport::receive_fd(f);
        }
        return PyRegion{std::make_shared<transport::SharedRegion>(check(std::move(r)))};
      },
      nb::arg("socket"));
  m.def(
      "_map_region", [](const PyRegion& r) { return wrap_buffer(check(transport::receive(*r.region))); },
      nb::arg("region"));
}

}  // namespace arrowpack::python
