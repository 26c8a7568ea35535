// DictionaryMemo: which fields of a schema are dictionary-encoded, under which ids, and the
// dictionaries an IPC reader has received for them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "arrowpack/core/array.h"
#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/type.h"

namespace arrowpack::ipc {

/// The dictionary-encoded fields of a schema and the dictionaries they use. A field is named
/// by its path: child indices from the schema down, through the value types of dictionaries
/// too (a dictionary of lists of dictionaries). Writers number the fields 0, 1, ... in
/// depth-first order; readers learn the ids from the schema message and then hold, per id,
/// the current dictionary (replaced or extended by dictionary batches).
class DictionaryMemo {
 public:
  using FieldPath = std::vector<int>;

  DictionaryMemo();
  ~DictionaryMemo();
  /// A copy shares the dictionaries (immutable arrays) but grows its own from then on.
  DictionaryMemo(const DictionaryMemo& other);
  DictionaryMemo& operator=(const DictionaryMemo& other);
  DictionaryMemo(DictionaryMemo&&) noexcept;
  DictionaryMemo& operator=(DictionaryMemo&&) noexcept;

  /// The dictionary fields of `schema` with ids 0, 1, ... in depth-first order.
  static DictionaryMemo for_schema(const Schema& schema);
  /// Records that the field at `path`, of dictionary type `type`, uses `id`. Fields may share
  /// an id when their value types agree (Invalid otherwise; TypeError for a type that is not
  /// a dictionary).
  Status add_field(FieldPath path, std::int64_t id, DataTypePtr type);
  /// The id of the field at `path` (KeyError when none).
  Result<std::int64_t> id_for(const FieldPath& path) const;
  /// The dictionary type of `id` and the path of the first field that uses it (KeyError).
  Result<std::pair<DataTypePtr, FieldPath>> field_for(std::int64_t id) const;
  std::int64_t num_fields() const { return static_cast<std::int64_t>(ids_.size()); }
  std::int64_t num_ids() const { return static_cast<std::int64_t>(fields_.size()); }

  /// The current values of `id` (null before its first dictionary batch). Deltas received
  /// since the last call are appended now: fixed-width, boolean and binary-like values in
  /// place, into storage from `pool` that grows geometrically (earlier results stay valid:
  /// they are prefixes of it), other layouts by one concatenation. What is allocated is
  /// charged to `budget` when given (CapacityError when it runs out). Not thread-safe while
  /// deltas are pending; readers join them all before sharing the memo.
  Result<std::shared_ptr<ArrayData>> dictionary(std::int64_t id, MemoryPool* pool = default_memory_pool(),
                                                ReadBudget* budget = nullptr) const;
  bool has_dictionary(std::int64_t id) const;
  /// A new or replaced dictionary for `id`.
  void set_dictionary(std::int64_t id, std::shared_ptr<ArrayData> values);
  /// Values to append to the dictionary of `id` (a new dictionary when it has none).
  void add_delta(std::int64_t id, std::shared_ptr<ArrayData> values);
  /// Joins every pending delta (after this, dictionary() only reads). CapacityError when
  /// `budget` runs out; OutOfMemory when `pool` refuses.
  Status join_deltas(MemoryPool* pool = default_memory_pool(), ReadBudget* budget = nullptr) const;
  /// Bytes of dictionary values held: current dictionaries and pending deltas, every id.
  std::int64_t dictionary_bytes() const { return bytes_; }

 private:
  struct Dictionary;  // one id's values and the room to grow them (ipc/dictionary.cc)
  std::map<FieldPath, std::int64_t> ids_;
  std::map<std::int64_t, std::pair<DataTypePtr, FieldPath>> fields_;
  std::map<std::int64_t, std::shared_ptr<Dictionary>> dictionaries_;
  std::int64_t bytes_ = 0;
};

}  // namespace arrowpack::ipc
