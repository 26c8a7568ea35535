// Uses an installed arrowpack through find_package(arrowpack): the typed front door.
#include <arrowpack/adapters/api.h>
#include <iostream>
int main() {
  auto blob = arrowpack::serialize(std::vector<std::string>{"a", "b"}).value_or_throw().to_buffer().value_or_throw();
  auto back = arrowpack::deserialize<std::vector<std::string>>(blob).value_or_throw();
  std::cout << back.size() << " " << back[1] << "\n";
}
