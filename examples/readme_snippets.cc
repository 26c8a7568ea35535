// The code of README.md, compiled (and run by ctest) so that the page stays true.
#include <iostream>
#include <map>

#include "arrowpack/adapters/api.h"
#include "arrowpack/adapters/eigen.h"
#include "arrowpack/core/api.h"

namespace ap = arrowpack;

static void streams() {
  auto f0 = ap::array<std::int64_t>({1, 2, 3, 4}).value_or_throw();
  auto f1 = ap::array<std::string>({"foo", "bar", "baz", std::nullopt}).value_or_throw();
  auto batch = ap::RecordBatch::from_arrays({f0, f1}, {"f0", "f1"}).value_or_throw();

  auto sink = ap::io::BufferOutputStream::create().value_or_throw();
  auto writer = ap::ipc::new_stream(sink, batch->schema()).value_or_throw();
  for (int i = 0; i < 5; ++i) writer->write_batch(*batch).throw_if_error();
  writer->close().throw_if_error();

  auto reader = ap::ipc::open_stream(sink->getvalue().value_or_throw()).value_or_throw();
  for (const auto& b : *reader) std::cout << b.value_or_throw()->to_string() << "\n";
}

struct Point {
  double x, y;
  std::string label;
};  // plain aggregates need no code

static void objects() {
  std::map<int, Eigen::MatrixXd> data;  // 100 matrices 500x500
  for (int i = 0; i < 100; ++i) data[i] = Eigen::MatrixXd::Random(500, 500);

  auto components = ap::serialize(data).value_or_throw().to_components().value_or_throw();
  using View = ap::EigenView<Eigen::MatrixXd>;  // an Eigen::Map over received memory
  auto views = ap::deserialize_components<std::map<int, View>>(components).value_or_throw();

  auto blob = ap::serialize(Point{1, 2, "p"}).value_or_throw().to_buffer().value_or_throw();
  Point p = ap::deserialize<Point>(blob).value_or_throw();
  std::cout << views.size() << " views, point " << p.label << "\n";
}

int main() {
  streams();
  objects();
  return 0;
}
