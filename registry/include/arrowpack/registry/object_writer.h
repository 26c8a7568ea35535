// ObjectWriter: builds a serialized object by streaming values into it, without building a
// Value graph first. Produces exactly what serialize(Value) produces for the same shape; the
// typed front door (adapters) uses it so that a million small records cost no million
// intermediate Values.
//
//   ObjectWriter w(context);
//   w.begin_list();  w.integer(1);  w.string("two");  w.end();
//   auto object = w.finish();            // == serialize(Value::list({1, "two"}))
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "arrowpack/registry/serialize.h"
#include "arrowpack/registry/value.h"

namespace arrowpack {

class ObjectWriter {
 public:
  explicit ObjectWriter(const SerializationContext& context, const ReadLimits& limits = {},
                        MemoryPool* pool = default_memory_pool());
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  Status none();
  Status boolean(bool b);
  Status integer(std::int64_t i);
  Status float32(float f);
  Status float64(double d);
  Status half(std::uint16_t bits);
  Status date64_micros(std::int64_t micros);
  Status string(std::string_view s);
  Status bytes(std::string_view b);
  /// Out-of-band items: kept by reference (no copy) until the object is written.
  Status tensor(TensorPtr t);
  Status ndarray(TensorPtr t);
  Status buffer(std::shared_ptr<Buffer> b);
  /// A sparse tensor (code 17 to 20, by its format), kept by reference.
  Status sparse_tensor(SparseTensorPtr t);
  /// Many numbers into the open list, tuple or set at once: the same result as one
  /// float64()/integer() call per element, without the per-call overhead.
  Status float64s(std::span<const double> values);
  Status integers(std::span<const std::int64_t> values);
  /// Any Value (objects of registered types included).
  Status value(const Value& v);

  /// Containers: begin_*, the elements (for a dict: key, value, key, value, ...), end().
  Status begin_list();
  Status begin_tuple();
  Status begin_set();
  Status begin_dict();
  Status end();

  /// The serialized object. Exactly one top-level value must have been written and every
  /// container closed.
  Result<SerializedObject> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arrowpack
