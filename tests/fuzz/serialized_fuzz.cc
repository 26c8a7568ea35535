// Fuzz target for serialized objects: the contiguous blob is parsed (read_from), decoded to a
// Value with unknown types kept opaque, walked through ObjectReader cursors and through
// Cursor::walk, and rendered as `inspect --json` would. Built as a libFuzzer target with -DARROWPACK_BUILD_FUZZERS=ON,
// else as a replay program over the files named on the command line.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "arrowpack/registry/context.h"
#include "arrowpack/registry/object_reader.h"
#include "budget.h"
#include "inspect_json.h"

namespace ap = arrowpack;

namespace {
void walk(const ap::ObjectReader::Cursor& c, int budget) {
  if (budget <= 0) return;
  auto n = c.size();
  if (!n.ok()) {
    (void)c.value();
    return;
  }
  for (std::int64_t i = 0; i < *n && i < 16; ++i) {
    if (auto e = c.element(i); e.ok()) walk(*e, budget - 1);
    if (auto k = c.key(i); k.ok()) walk(*k, budget - 1);
    if (auto v = c.value_of(i); v.ok()) walk(*v, budget - 1);
  }
}

// Checks what a walk hands over: every container gets exactly the elements its on_begin()
// announced (a dict: two per entry) before its on_end(), which the Python decoder relies on,
// and every out-of-band item is read through its cursor.
class CheckingVisitor final : public ap::ObjectVisitor {
 public:
  ap::Status on_none() override { return element(); }
  ap::Status on_bool(bool) override { return element(); }
  ap::Status on_int(std::int64_t) override { return element(); }
  ap::Status on_float(double, ap::Value::Kind) override { return element(); }
  ap::Status on_date64(std::int64_t) override { return element(); }
  ap::Status on_text(std::string_view, ap::Value::Kind) override { return element(); }
  ap::Status on_begin(ap::Value::Kind kind, std::int64_t size) override {
    ARROWPACK_RETURN_NOT_OK(element());
    left_.push_back(kind == ap::Value::Kind::kDict ? 2 * size : size);
    return ap::Status::OK();
  }
  ap::Status on_end() override {
    if (left_.empty() || left_.back() != 0) std::abort();  // an end too early, or without its begin
    left_.pop_back();
    return ap::Status::OK();
  }
  ap::Status on_item(const ap::ObjectReader::Cursor& item) override {
    (void)item.tensor();
    (void)item.buffer();
    (void)item.sparse_tensor();
    return element();
  }
  bool balanced() const { return left_.empty(); }

 private:
  ap::Status element() {
    if (!left_.empty() && left_.back()-- <= 0) std::abort();  // more elements than announced
    return ap::Status::OK();
  }
  std::vector<std::int64_t> left_;  // elements still to come, per open container
};

void run(const std::uint8_t* data, std::size_t size) {
  auto blob = ap::Buffer::wrap(data, static_cast<std::int64_t>(size));
  if (auto v = ap::tools::inspect_value(blob, fuzz_budget::limits()); v.ok()) {
    std::string json = ap::tools::inspect_json(*v);
    std::string text = ap::tools::inspect_text(*v);
    volatile std::size_t sink = json.size() + text.size();
    (void)sink;
  }
  static const ap::SerializationContext kNoTypes;
  ap::DeserializeOptions options;
  options.limits = fuzz_budget::limits();
  options.allow_unknown_types = true;
  if (auto object = ap::SerializedObject::read_from(blob, options); object.ok()) {
    if (auto reader = ap::ObjectReader::open(*object, kNoTypes, options); reader.ok()) {
      if (auto root = (*reader)->root(); root.ok()) {
        walk(*root, 8);
        CheckingVisitor visitor;
        if (root->walk(visitor).ok() && !visitor.balanced()) std::abort();  // a container left open
      }
    }
    (void)ap::deserialize(*object, kNoTypes, options);
  }
}

}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "serialized_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"
