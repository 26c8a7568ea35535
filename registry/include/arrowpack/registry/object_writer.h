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
  /// A writer of one object whose types `context` resolves, within `limits`, rendered into
  /// `pool`'s memory; `mark` says whether the structure records arrowpack's format version
  /// (see FormatMark). `context` must outlive the writer.
  explicit ObjectWriter(const SerializationContext& context, const ReadLimits& limits = {},
                        MemoryPool* pool = default_memory_pool(), FormatMark mark = FormatMark::kVersioned);
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  /// Errors (shared by every call that writes a value): Invalid after finish() or for a
  /// second top-level value; CapacityError past ReadLimits::max_depth or max_elements, or
  /// for more than 2^31-1 values in one sequence; OutOfMemory for scratch memory. After a
  /// failure every call returns that first error again.
  Status none();
  /// The errors of none().
  Status boolean(bool b);
  /// The errors of none().
  Status integer(std::int64_t i);
  /// The errors of none().
  Status float32(float f);
  /// The errors of none().
  Status float64(double d);
  /// The errors of none().
  Status half(std::uint16_t bits);
  /// The errors of none().
  Status date64_micros(std::int64_t micros);
  /// Errors: TypeError when `s` is not valid UTF-8; CapacityError for more than 2^31-1
  /// bytes of strings in one sequence; those of none().
  Status string(std::string_view s);
  /// Errors: CapacityError for more than 2^31-1 bytes of bytes in one sequence; those of
  /// none().
  Status bytes(std::string_view b);
  /// Out-of-band items: kept by reference (no copy) until the object is written. Errors:
  /// Invalid for a null item; TypeError as a dict key or set element (not hashable);
  /// CapacityError for more than 2^31-1 items of a kind; those of none().
  Status tensor(TensorPtr t);
  /// The errors of tensor().
  Status ndarray(TensorPtr t);
  /// The errors of tensor().
  Status buffer(std::shared_ptr<Buffer> b);
  /// A sparse tensor (code 17 to 20, by its format), kept by reference. The errors of
  /// tensor().
  Status sparse_tensor(SparseTensorPtr t);
  /// Many numbers into the open list, tuple or set at once: the same result as one
  /// float64()/integer() call per element, without the per-call overhead. Errors: Invalid
  /// when no list, tuple or set is the innermost open container (at the top level or in a
  /// dict); those of none().
  Status float64s(std::span<const double> values);
  /// The errors of float64s().
  Status integers(std::span<const std::int64_t> values);
  /// Any Value (objects of registered types included). Errors: TypeError for an unhashable
  /// value as a dict key or set element (or inside one), or for a string that is not
  /// UTF-8; Invalid for a null tensor, ndarray, buffer or sparse tensor; SerializationError
  /// or those of the type's serializer for a registered object; NotImplemented for a kind
  /// that cannot be serialized; those of none().
  Status value(const Value& v);

  /// Containers: begin_*, the elements (for a dict: key, value, key, value, ...), end().
  /// Errors: TypeError for a list, set or dict as a dict key or set element (a tuple may be
  /// one, if all it holds is hashable); those of none().
  Status begin_list();
  /// The errors of begin_list().
  Status begin_tuple();
  /// The errors of begin_list().
  Status begin_set();
  /// The errors of begin_list().
  Status begin_dict();
  /// Closes the innermost open container. Errors: Invalid after finish(), without an open
  /// container, or for a dict with a key but no value; OutOfMemory; an earlier failure.
  Status end();

  /// The serialized object. Exactly one top-level value must have been written and every
  /// container closed. Errors: Invalid after finish() (even a failed one), with containers
  /// still open, or when no value was written; the first error of an earlier call;
  /// OutOfMemory from the pool while rendering.
  Result<SerializedObject> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arrowpack
