// serialize(): a Value graph as an Arrow IPC stream (the structure, one dense-union record
// batch) plus out-of-band tensors and buffers that stay in the caller's memory; deserialize()
// and deserialize_components() read it back. The layout is pyarrow's serialize() of 0.13 to
// 11.x, documented in registry/FORMAT.md. Every function takes the context by reference, the
// default context when none is given, as the typed front door (adapters/api.h) does.
#pragma once

#include <memory>

#include "arrowpack/core/read_limits.h"
#include "arrowpack/registry/context.h"
#include "arrowpack/registry/serialized_object.h"
#include "arrowpack/registry/value.h"

namespace arrowpack {

/// Encodes `value` with `context`'s registered types. The result views the tensors and
/// buffers of `value` (no copy) and keeps them alive. CapacityError past `limits` (depth,
/// values), KeyError for an object whose type `context` does not know, TypeError or Invalid
/// for a value the layout cannot hold (as ObjectWriter::value()), NotImplemented for a type
/// the layout has no tag for, OutOfMemory from the pool, and whatever a registered
/// serializer returns. Thread-safe: the context is only read.
Result<SerializedObject> serialize(const Value& value,
                                   const SerializationContext& context = SerializationContext::default_context(),
                                   const ReadLimits& limits = {});
/// Decodes the structure of `object` back into a Value; registered types are rebuilt by
/// their deserializers; tensors and buffers are shared, not copied. Invalid for a malformed
/// structure (validated in full unless options.validation says the bytes are trusted),
/// CapacityError past options.limits, KeyError for a type name `context` does not know
/// (unless options.allow_unknown_types), and whatever a registered deserializer returns.
Result<Value> deserialize(const SerializedObject& object,
                          const SerializationContext& context = SerializationContext::default_context(),
                          const DeserializeOptions& options = {});
/// SerializedObject::read_from() + deserialize(): the same errors, and those of read_from().
Result<Value> deserialize(const std::shared_ptr<Buffer>& buffer,
                          const SerializationContext& context = SerializationContext::default_context(),
                          const DeserializeOptions& options = {});
/// SerializedObject::from_components() + deserialize(): the same errors, and those of
/// from_components().
Result<Value> deserialize_components(const Components& components,
                                     const SerializationContext& context = SerializationContext::default_context(),
                                     const DeserializeOptions& options = {});

}  // namespace arrowpack
