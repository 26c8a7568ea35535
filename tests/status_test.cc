#include <catch2/catch.hpp>

#include "arrowpack/core/status.h"

using namespace arrowpack;

namespace {
Result<int> half(int x) {
  if (x % 2) return Status::Invalid("odd number ", x);
  return x / 2;
}
Result<int> quarter(int x) {
  ARROWPACK_ASSIGN_OR_RAISE(int h, half(x));
  ARROWPACK_ASSIGN_OR_RAISE(int q, half(h));
  return q;
}
Status check_positive(int x) {
  ARROWPACK_CHECK_OR_INVALID(x > 0, "expected a positive number, got ", x);
  return Status::OK();
}
}  // namespace

TEST_CASE("Status carries a code and a message, OK is cheap and empty") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.to_string() == "OK");
  CHECK(ok.message().empty());
  Status bad = Status::IOError("cannot open '", "x", "': ", 2);
  CHECK_FALSE(bad.ok());
  CHECK(bad.is_io_error());
  CHECK(bad.message() == "cannot open 'x': 2");
  CHECK(bad.to_string() == "IOError: cannot open 'x': 2");
  Status copy = bad;
  CHECK(copy.message() == bad.message());
  CHECK(bad.with_context("reading f").message() == "reading f: cannot open 'x': 2");
  CHECK(status_code_name(StatusCode::kCapacityError) == "CapacityError");
}

TEST_CASE("Result and the propagation macros") {
  CHECK(*quarter(8) == 2);
  auto r = quarter(6);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().is_invalid());
  CHECK(r.status().message() == "odd number 3");
  CHECK(check_positive(1).ok());
  CHECK(check_positive(-1).message() == "expected a positive number, got -1");
  CHECK(half(3).value_or(-1) == -1);
}

TEST_CASE("value_or_throw is the opt-in exception style") {
  CHECK(half(4).value_or_throw() == 2);
  try {
    (void)half(5).value_or_throw();
    FAIL("no exception");
  } catch (const Error& e) {
    CHECK(e.status().is_invalid());
    CHECK(std::string(e.what()) == "Invalid: odd number 5");
  }
}
