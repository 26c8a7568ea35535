// Arrays that grow by appending in place, for whoever extends one array many times: a reader
// joining dictionary deltas, a writer merging dictionaries. Extending by concatenation copies
// the whole array each time (quadratic over many small extensions); here the storage is twice
// as large as needed, and an extension of the array last made copies only the new values.
#pragma once

#include <memory>
#include <vector>

#include "arrowpack/core/array.h"
#include "arrowpack/core/read_limits.h"

namespace arrowpack::internal {

class AppendableArray {
 public:
  /// Whether arrays of `type` can grow in place: fixed-width primitives, bool, and binary and
  /// string with 32- or 64-bit offsets.
  static bool supports(const DataType& type);

  /// `head` followed by each of `tail` (all of head's type, which supports()), as one array.
  /// When `head` is the array this object returned last, the tail is copied into the room
  /// left after it (O(tail), amortised); otherwise the storage is made anew, twice the size
  /// needed, and head copied too. Arrays returned earlier stay valid: they view prefixes of
  /// storage that is only ever appended to. Storage allocated is charged to `budget` when it
  /// is not null. CapacityError when 32-bit offsets cannot address the joined values, or
  /// the budget's error; OutOfMemory from `pool`.
  Result<std::shared_ptr<ArrayData>> append(const std::shared_ptr<ArrayData>& head,
                                            const std::vector<std::shared_ptr<ArrayData>>& tail, MemoryPool* pool,
                                            ReadBudget* budget);

 private:
  enum class Layout { kFixed, kBits, kBinary32, kBinary64 };
  void copy_in(const ArrayData& d, Layout layout);

  std::shared_ptr<ArrayData> last_;  // what append() returned last, a prefix of the storage
  // Slot 0 validity, 1 values or offsets, 2 string data.
  std::shared_ptr<MutableBuffer> storage_[3];
  std::int64_t stored_length_ = 0;  // values in the storage
  std::int64_t stored_data_ = 0;    // string bytes in storage_[2]
  bool stored_validity_ = false;    // storage_[0] holds a bitmap of stored_length_ bits
};

}  // namespace arrowpack::internal
