// `arrowpack inspect --json`: values of every kind, written by serialize(), print exactly as
// the README specifies.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "arrowpack/registry/context.h"
#include "arrowpack/registry/serialize.h"
#include "inspect_json.h"
#include "test_data.h"

using namespace arrowpack;
using arrowpack::testing::ok_or_die;

namespace {
std::string inspected(const Value& v, const SerializationContext& ctx = SerializationContext::default_context()) {
  auto blob = ok_or_die(ok_or_die(serialize(v, ctx)).to_buffer());
  return tools::inspect_json(ok_or_die(tools::inspect_value(blob)));
}

TensorPtr small_tensor(std::vector<std::string> names = {}) {
  auto data = ok_or_die(allocate_buffer(6 * 4));
  auto* p = reinterpret_cast<std::int32_t*>(data->mutable_data());
  for (int i = 0; i < 6; ++i) p[i] = i - 2;
  return ok_or_die(Tensor::make(int32(), data, {2, 3}, {}, std::move(names)));
}
}  // namespace

TEST_CASE("inspect --json: scalars") {
  CHECK(inspected(Value()) == "null");
  CHECK(inspected(true) == "true");
  CHECK(inspected(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(inspected("t\"ext\n\x01") == "\"t\\\"ext\\n\\u0001\"");
  CHECK(inspected(1.5) == "{\"float64\":1.5}");
  CHECK(inspected(0.1f) == "{\"float32\":0.1}");
  CHECK(inspected(Value::half(0xC000)) == "{\"float16\":-2}");
  CHECK(inspected(std::nan("")) == "{\"float64\":\"NaN\"}");
  CHECK(inspected(-std::numeric_limits<double>::infinity()) == "{\"float64\":\"-Infinity\"}");
  CHECK(inspected(-0.0) == "{\"float64\":\"-0\"}");
  CHECK(inspected(Value::date64_micros(-5)) == "{\"date64\":-5}");
  CHECK(inspected(Value::bytes(std::string("\x00\xAB", 2))) == "{\"bytes\":\"00ab\"}");
}

TEST_CASE("inspect --json: containers keep their stored order") {
  CHECK(inspected(Value::list({1, Value::tuple({2, "x"}), Value::set({3, 4})})) ==
        "{\"list\":[1,{\"tuple\":[2,\"x\"]},{\"set\":[3,4]}]}");
  CHECK(inspected(Value::dict({{"b", 1}, {"a", Value::list()}, {Value::tuple({1}), nullptr}})) ==
        "{\"dict\":[[\"b\",1],[\"a\",{\"list\":[]}],[{\"tuple\":[1]},null]]}");
}

TEST_CASE("inspect --json: tensors, ndarrays and buffers") {
  CHECK(inspected(small_tensor()) == "{\"tensor\":{\"dtype\":\"int32\",\"shape\":[2,3],\"values\":[-2,-1,0,1,2,3]}}");
  CHECK(inspected(Value::ndarray(small_tensor({"r", "c"}))) ==
        "{\"ndarray\":{\"dtype\":\"int32\",\"shape\":[2,3],\"dim_names\":[\"r\",\"c\"],\"values\":[-2,-1,0,1,2,3]}}");
  auto column_major = ok_or_die(Tensor::make_column_major(int32(), small_tensor()->data(), {2, 3}));
  CHECK(inspected(column_major) == "{\"tensor\":{\"dtype\":\"int32\",\"shape\":[2,3],\"values\":[-2,0,2,-1,1,3]}}");
  auto big = ok_or_die(allocate_buffer(20000 * 8));
  for (int i = 0; i < 20000; ++i) reinterpret_cast<std::uint64_t*>(big->mutable_data())[i] = 1ull << 62;
  auto bt = ok_or_die(Tensor::make(uint64(), big, {20000}));
  CHECK(inspected(bt) == "{\"tensor\":{\"dtype\":\"uint64\",\"shape\":[20000],\"sum\":92233720368547758080000}}");
  CHECK(inspected(Buffer::from_string("hi")) == "{\"buffer\":{\"size\":2,\"hex\":\"6869\"}}");
  CHECK(inspected(Buffer::from_string(std::string(5000, 'a'))) == "{\"buffer\":{\"size\":5000}}");
}

TEST_CASE("inspect shows registered objects as stored and runs no user code") {
  struct Secret {
    int x;
  };
  SerializationContext ctx;
  bool ran = false;
  REQUIRE(ctx.register_type<Secret>(
                 "Secret",
                 [](const Secret& s) {
                   return Value::dict({{"x", s.x}});
                 },
                 [&ran](const Value&) {
                   ran = true;
                   return Secret{0};
                 })
              .ok());
  CHECK(inspected(Value::object("Secret", Secret{7}), ctx) ==
        "{\"dict\":[[\"data\",{\"dict\":[[\"x\",7]]}],[\"_pytype_\",\"Secret\"]]}");
  CHECK_FALSE(ran);
  auto blob = ok_or_die(ok_or_die(ctx.serialize(Value::object("Secret", Secret{7}))).to_buffer());
  CHECK(tools::inspect_text(ok_or_die(tools::inspect_value(blob))).find("object of registered type 'Secret'") !=
        std::string::npos);
}
