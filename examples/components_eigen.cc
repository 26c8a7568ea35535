// Component-based serialization of five 10x10 Eigen matrices, as the pyarrow chapter does
// with numpy arrays: the components are plain memory (spans) that could be written to a
// socket one by one; the receiver wraps them again and reads the matrices without copying.
#include <iostream>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"

namespace ap = arrowpack;

int main() {
  std::vector<Eigen::Matrix<double, 10, 10>> data(5);
  for (int i = 0; i < 5; ++i) data[i].setConstant(i);

  // components = pa.serialize(data).to_components()
  auto components = ap::serialize(data).value_or_throw().to_components().value_or_throw();
  std::cout << "num_ndarrays: " << components.num_ndarrays << ", buffers: " << components.data.size() << "\n";

  // Each component as raw bytes (memoryview), then back into buffers (py_buffer).
  std::vector<std::span<const std::byte>> wire;
  for (const auto& b : components.data) wire.push_back(ap::as_span(*b));
  ap::Components received{components.num_tensors, components.num_ndarrays, components.num_buffers, {}};
  for (auto s : wire) received.data.push_back(ap::from_span(s));

  // pa.deserialize_components(components): views over the received memory, no copy.
  using View = ap::EigenView<Eigen::Matrix<double, 10, 10>>;
  auto views = ap::deserialize_components<std::vector<View>>(received).value_or_throw();
  for (int i = 0; i < 5; ++i) {
    std::cout << "matrix " << i << ": (9,9) = " << views[i].map(9, 9)
              << (views[i].map.data() == data[i].data() ? "  [same memory as the original]" : "") << "\n";
  }
  return 0;
}
