#include "appendable_internal.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "arrowpack/core/util.h"

namespace arrowpack::internal {

using util::bytes_for_bits;
using util::clear_bit;
using util::get_bit;
using util::set_bit;

namespace {

template <typename Offset>
Offset load_offset(const ArrayData& d, std::int64_t i) {
  Offset v;
  std::memcpy(&v, d.buffers[1]->data() + (d.offset + i) * static_cast<std::int64_t>(sizeof(Offset)), sizeof(Offset));
  return v;
}

// The bytes of string data that `d`'s values span.
std::int64_t text_bytes(const ArrayData& d, bool large) {
  return large ? load_offset<std::int64_t>(d, d.length) - load_offset<std::int64_t>(d, 0)
               : std::int64_t{load_offset<std::int32_t>(d, d.length)} - load_offset<std::int32_t>(d, 0);
}

}  // namespace

bool AppendableArray::supports(const DataType& t) {
  // Flat layouts: bits, fixed-width values, or offsets and bytes.
  const TypeInfo& info = t.info();
  return info.children == ChildLayout::kNone && !info.variadic_buffers && t.id() != TypeId::kDictionary &&
         info.has_validity() &&
         (info.buffers[1] == BufferKind::kBits || info.buffers[1] == BufferKind::kValues ||
          (info.buffers[1] == BufferKind::kOffsets32 || info.buffers[1] == BufferKind::kOffsets64));
}

void AppendableArray::copy_in(const ArrayData& d, Layout layout) {
  const std::int64_t at = stored_length_;
  if (stored_validity_) {
    std::uint8_t* bits = storage_[0]->mutable_data();
    const std::uint8_t* src = d.null_count > 0 && d.buffers[0] ? d.buffers[0]->data() : nullptr;
    for (std::int64_t i = 0; i < d.length; ++i) {
      if (!src || get_bit(src, d.offset + i)) {
        set_bit(bits, at + i);
      } else {
        clear_bit(bits, at + i);
      }
    }
  }
  switch (layout) {
    case Layout::kFixed: {
      const std::int64_t w = d.type->byte_width();
      std::memcpy(storage_[1]->mutable_data() + at * w, d.buffers[1]->data() + d.offset * w,
                  static_cast<std::size_t>(d.length * w));
      break;
    }
    case Layout::kBits:
      for (std::int64_t i = 0; i < d.length; ++i) {
        if (get_bit(d.buffers[1]->data(), d.offset + i)) {
          set_bit(storage_[1]->mutable_data(), at + i);
        } else {
          clear_bit(storage_[1]->mutable_data(), at + i);
        }
      }
      break;
    case Layout::kBinary32:
    case Layout::kBinary64: {
      const bool large = layout == Layout::kBinary64;
      const std::int64_t first = large ? load_offset<std::int64_t>(d, 0) : load_offset<std::int32_t>(d, 0);
      std::uint8_t* offsets = storage_[1]->mutable_data();
      for (std::int64_t i = 0; i <= d.length; ++i) {
        const std::int64_t o = (large ? load_offset<std::int64_t>(d, i) : load_offset<std::int32_t>(d, i)) - first;
        if (large) {
          const std::int64_t v = stored_data_ + o;
          std::memcpy(offsets + (at + i) * 8, &v, 8);
        } else {
          const auto v = static_cast<std::int32_t>(stored_data_ + o);
          std::memcpy(offsets + (at + i) * 4, &v, 4);
        }
      }
      const std::int64_t n = text_bytes(d, large);
      if (n > 0) std::memcpy(storage_[2]->mutable_data() + stored_data_, d.buffers[2]->data() + first, n);
      stored_data_ += n;
      break;
    }
  }
  stored_length_ += d.length;
}

Result<std::shared_ptr<ArrayData>> AppendableArray::append(const std::shared_ptr<ArrayData>& head,
                                                           const std::vector<std::shared_ptr<ArrayData>>& tail,
                                                           MemoryPool* pool, ReadBudget* budget) {
  const DataType& type = *head->type;
  const Layout layout = type.id() == TypeId::kBool                                               ? Layout::kBits
                        : type.id() == TypeId::kLargeString || type.id() == TypeId::kLargeBinary ? Layout::kBinary64
                        : type.is_binary_like()                                                  ? Layout::kBinary32
                                                                                                 : Layout::kFixed;
  std::int64_t length = head->length, nulls = head->null_count;
  for (const auto& p : tail) {
    length += p->length;
    nulls += p->null_count;
  }
  const bool binary = layout == Layout::kBinary32 || layout == Layout::kBinary64;
  std::int64_t data = 0;
  if (binary) {
    data = text_bytes(*head, layout == Layout::kBinary64);
    for (const auto& p : tail) data += text_bytes(*p, layout == Layout::kBinary64);
    if (layout == Layout::kBinary32 && data > std::numeric_limits<std::int32_t>::max()) {
      return Status::CapacityError("appending to a ", type.to_string(), " array gives ", data,
                                   " bytes of values, beyond what 32-bit offsets can address");
    }
  }
  const bool validity = nulls > 0;
  const std::int64_t need[3] = {validity ? bytes_for_bits(length) : 0,
                                layout == Layout::kFixed  ? length * type.byte_width()
                                : layout == Layout::kBits ? bytes_for_bits(length)
                                                          : (length + 1) * (layout == Layout::kBinary64 ? 8 : 4),
                                data};
  // Does the storage hold `head` with room for the tail? Else start anew, twice as large as
  // needed, with `head` as the first part.
  bool fits = head == last_ && storage_[1] && (!validity || stored_validity_);
  for (int slot = 0; slot < 3 && fits; ++slot) {
    if (need[slot] > 0 && (!storage_[slot] || storage_[slot]->size() < need[slot])) fits = false;
  }
  if (!fits) {
    std::shared_ptr<MutableBuffer> grown[3];
    for (int slot = 0; slot < 3; ++slot) {
      if (need[slot] == 0 && slot != 1) continue;
      const std::int64_t size = std::max<std::int64_t>(2 * need[slot], 64);
      if (budget) ARROWPACK_RETURN_NOT_OK(budget->charge(size, "growing an array in place"));
      ARROWPACK_ASSIGN_OR_RAISE(grown[slot], allocate_buffer(size, pool));
      std::memset(grown[slot]->mutable_data(), 0, static_cast<std::size_t>(size));
    }
    for (int slot = 0; slot < 3; ++slot) storage_[slot] = std::move(grown[slot]);
    stored_length_ = 0;
    stored_data_ = 0;
    stored_validity_ = validity;
    copy_in(*head, layout);  // binary: the first offset, 0, is already in place
  }
  for (const auto& p : tail) copy_in(*p, layout);
  auto joined = std::make_shared<ArrayData>();
  joined->type = head->type;
  joined->length = length;
  joined->null_count = nulls;
  joined->buffers.resize(binary ? 3 : 2);
  for (int slot = 0; slot < static_cast<int>(joined->buffers.size()); ++slot) {
    if (need[slot] == 0 && slot != 1) continue;
    ARROWPACK_ASSIGN_OR_RAISE(joined->buffers[slot], storage_[slot]->slice(0, need[slot]));
  }
  last_ = joined;
  return joined;
}

}  // namespace arrowpack::internal
