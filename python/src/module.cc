// The extension module arrowpack._arrowpack: the C++ half of the Python package. The Python
// half (python/arrowpack/) holds the API users call and the SerializationContext.
#include "arrow_data.h"
#include "common.h"

NB_MODULE(_arrowpack, m) {
  m.doc() = "arrowpack's C++ core for Python (use the arrowpack package, not this module)";
  arrowpack::python::bind_buffer(m);
  arrowpack::python::bind_sparse(m);
  arrowpack::python::bind_arrow_objects(m);
  arrowpack::python::bind_ipc(m);
  arrowpack::python::bind_transport(m);
  arrowpack::python::bind_serialize(m);
}
