// DictionaryMemo: the dictionary-encoded fields of a schema and the dictionaries readers
// hold for them. Deltas are appended in place into storage that grows geometrically, so a
// stream of n deltas, each followed by a batch that keeps its dictionary, costs O(total)
// memory and time rather than O(n * total): each batch sees a prefix of the same storage.
#include <algorithm>
#include <cstring>
#include <limits>

#include "bit_util_internal.h"
#include "ipc/metadata_internal.h"

namespace arrowpack::ipc {

namespace {

// The layouts whose values can be appended in place.
enum class Growth { kNone, kFixed, kBits, kBinary32, kBinary64 };

Growth growth_of(const DataType& t) {
  switch (t.id()) {
    case TypeId::kBool: return Growth::kBits;
    case TypeId::kString:
    case TypeId::kBinary: return Growth::kBinary32;
    case TypeId::kLargeString:
    case TypeId::kLargeBinary: return Growth::kBinary64;
    default:
      if (t.num_fields() == 0 && t.byte_width() > 0 && num_buffer_slots(t) == 2 && t.id() != TypeId::kDictionary) {
        return Growth::kFixed;
      }
      return Growth::kNone;
  }
}

bool get_bit(const std::uint8_t* bits, std::int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }
void set_bit(std::uint8_t* bits, std::int64_t i, bool v) {
  if (v) {
    bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] | (1u << (i & 7)));
  } else {
    bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] & ~(1u << (i & 7)));
  }
}

// Bytes held by the buffers of `d` and its children.
std::int64_t data_bytes(const ArrayData& d) {
  std::int64_t n = 0;
  for (const auto& b : d.buffers) n += b ? b->size() : 0;
  for (const auto& c : d.children) n += c ? data_bytes(*c) : 0;
  return n;
}

template <typename Offset>
Offset load_offset(const ArrayData& d, std::int64_t i) {
  Offset v;
  std::memcpy(&v, d.buffers[1]->data() + (d.offset + i) * static_cast<std::int64_t>(sizeof(Offset)), sizeof(Offset));
  return v;
}

}  // namespace

// One id's dictionary: the values batches see now, and deltas not yet joined to them.
struct DictionaryMemo::Dictionary {
  std::shared_ptr<ArrayData> current;
  std::vector<std::shared_ptr<ArrayData>> pending;
  std::int64_t bytes = 0;  // of current and pending
  // Appendable layouts: `current`'s buffers are prefixes of this storage, which has room to
  // grow (slot 0 validity, 1 values or offsets, 2 string data).
  std::shared_ptr<MutableBuffer> storage[3];
  std::int64_t stored_length = 0;  // values in storage
  std::int64_t stored_data = 0;    // string bytes in storage[2]
  bool stored_validity = false;    // storage[0] holds a bitmap of stored_length bits

  // Appends `d` at the end of the storage, which has room for it.
  void append(const ArrayData& d, Growth growth) {
    const std::int64_t at = stored_length;
    if (stored_validity) {
      std::uint8_t* bits = storage[0]->mutable_data();
      const std::uint8_t* src = d.null_count > 0 && d.buffers[0] ? d.buffers[0]->data() : nullptr;
      for (std::int64_t i = 0; i < d.length; ++i) set_bit(bits, at + i, src ? get_bit(src, d.offset + i) : true);
    }
    switch (growth) {
      case Growth::kFixed: {
        const std::int64_t w = d.type->byte_width();
        std::memcpy(storage[1]->mutable_data() + at * w, d.buffers[1]->data() + d.offset * w,
                    static_cast<std::size_t>(d.length * w));
        break;
      }
      case Growth::kBits:
        for (std::int64_t i = 0; i < d.length; ++i) {
          set_bit(storage[1]->mutable_data(), at + i, get_bit(d.buffers[1]->data(), d.offset + i));
        }
        break;
      case Growth::kBinary32:
      case Growth::kBinary64: {
        const bool large = growth == Growth::kBinary64;
        const std::int64_t first = large ? load_offset<std::int64_t>(d, 0) : load_offset<std::int32_t>(d, 0);
        std::uint8_t* offsets = storage[1]->mutable_data();
        for (std::int64_t i = 0; i <= d.length; ++i) {
          const std::int64_t o = (large ? load_offset<std::int64_t>(d, i) : load_offset<std::int32_t>(d, i)) - first;
          if (large) {
            const std::int64_t v = stored_data + o;
            std::memcpy(offsets + (at + i) * 8, &v, 8);
          } else {
            const auto v = static_cast<std::int32_t>(stored_data + o);
            std::memcpy(offsets + (at + i) * 4, &v, 4);
          }
        }
        const std::int64_t n =
            (large ? load_offset<std::int64_t>(d, d.length) : load_offset<std::int32_t>(d, d.length)) - first;
        if (n > 0) std::memcpy(storage[2]->mutable_data() + stored_data, d.buffers[2]->data() + first, n);
        stored_data += n;
        break;
      }
      case Growth::kNone: break;
    }
    stored_length += d.length;
  }

  // Joins the pending deltas into `current`.
  Status join(MemoryPool* pool, ReadBudget* budget) {
    const Growth growth = growth_of(*current->type);
    std::int64_t length = current->length, nulls = current->null_count;
    for (const auto& p : pending) {
      length += p->length;
      nulls += p->null_count;
    }
    if (growth == Growth::kNone) {
      // Nested and other layouts: one concatenation of everything, charged in full.
      std::vector<Array> parts{Array(current)};
      std::int64_t total = data_bytes(*current);
      for (auto& p : pending) {
        parts.emplace_back(p);
        total += data_bytes(*p);
      }
      if (budget) ARROWPACK_RETURN_NOT_OK(budget->charge(total, "joining dictionary deltas"));
      ARROWPACK_ASSIGN_OR_RAISE(auto joined, concatenate(parts, pool));
      current = std::const_pointer_cast<ArrayData>(joined.data());
      pending.clear();
      return Status::OK();
    }
    std::int64_t data = 0;
    const bool binary = growth == Growth::kBinary32 || growth == Growth::kBinary64;
    if (binary) {
      auto text = [&](const ArrayData& d) {
        return growth == Growth::kBinary64
                   ? load_offset<std::int64_t>(d, d.length) - load_offset<std::int64_t>(d, 0)
                   : std::int64_t{load_offset<std::int32_t>(d, d.length)} - load_offset<std::int32_t>(d, 0);
      };
      data = text(*current);
      for (const auto& p : pending) data += text(*p);
      if (growth == Growth::kBinary32 && data > std::numeric_limits<std::int32_t>::max()) {
        return Status::CapacityError("dictionary deltas join to ", data,
                                     " bytes of values, beyond what 32-bit offsets can address");
      }
    }
    const bool validity = nulls > 0;
    const std::int64_t width = current->type->byte_width();
    const std::int64_t need[3] = {validity ? (length + 7) / 8 : 0,
                                  growth == Growth::kFixed  ? length * width
                                  : growth == Growth::kBits ? (length + 7) / 8
                                                            : (length + 1) * (growth == Growth::kBinary64 ? 8 : 4),
                                  data};
    // Does the storage still hold `current` with room for the deltas? Else start anew,
    // twice as large as needed, with `current` as the first part.
    bool fits = storage[1] && stored_length == current->length && (!validity || stored_validity);
    for (int slot = 0; slot < 3 && fits; ++slot) {
      if (need[slot] > 0 && (!storage[slot] || storage[slot]->size() < need[slot])) fits = false;
    }
    if (!fits) {
      std::shared_ptr<MutableBuffer> grown[3];
      for (int slot = 0; slot < 3; ++slot) {
        if (need[slot] == 0 && slot != 1) continue;
        const std::int64_t size = std::max<std::int64_t>(2 * need[slot], 64);
        if (budget) ARROWPACK_RETURN_NOT_OK(budget->charge(size, "growing a dictionary for its deltas"));
        ARROWPACK_ASSIGN_OR_RAISE(grown[slot], allocate_buffer(size, pool));
        std::memset(grown[slot]->mutable_data(), 0, static_cast<std::size_t>(size));
      }
      for (int slot = 0; slot < 3; ++slot) storage[slot] = std::move(grown[slot]);
      stored_length = 0;
      stored_data = 0;
      stored_validity = validity;
      if (binary) {
        // The first offset.
        std::memset(storage[1]->mutable_data(), 0, growth == Growth::kBinary64 ? 8 : 4);
      }
      append(*current, growth);
    }
    for (const auto& p : pending) append(*p, growth);
    pending.clear();
    auto joined = std::make_shared<ArrayData>();
    joined->type = current->type;
    joined->length = length;
    joined->null_count = nulls;
    joined->buffers.resize(binary ? 3 : 2);
    for (int slot = 0; slot < static_cast<int>(joined->buffers.size()); ++slot) {
      if (need[slot] == 0 && slot != 1) continue;
      ARROWPACK_ASSIGN_OR_RAISE(joined->buffers[slot], storage[slot]->slice(0, need[slot]));
    }
    current = std::move(joined);
    return Status::OK();
  }
};

DictionaryMemo::DictionaryMemo() = default;
DictionaryMemo::~DictionaryMemo() = default;
DictionaryMemo::DictionaryMemo(DictionaryMemo&&) noexcept = default;
DictionaryMemo& DictionaryMemo::operator=(DictionaryMemo&&) noexcept = default;

DictionaryMemo::DictionaryMemo(const DictionaryMemo& other)
    : ids_(other.ids_), fields_(other.fields_), bytes_(other.bytes_) {
  // A copy shares the dictionaries but not the room to grow them: each memo appends into
  // storage of its own.
  for (const auto& [id, d] : other.dictionaries_) {
    auto copy = std::make_shared<Dictionary>();
    copy->current = d->current;
    copy->pending = d->pending;
    copy->bytes = d->bytes;
    dictionaries_.emplace(id, std::move(copy));
  }
}

DictionaryMemo& DictionaryMemo::operator=(const DictionaryMemo& other) {
  if (this != &other) *this = DictionaryMemo(other);
  return *this;
}

namespace {
void collect_dictionary_fields(const Field& field, DictionaryMemo::FieldPath& path, DictionaryMemo* memo,
                               std::int64_t* next_id) {
  const bool encoded = field.type()->id() == TypeId::kDictionary;
  if (encoded) (void)memo->add_field(path, (*next_id)++, field.type());
  const DataType& shape = encoded ? *field.type()->value_type() : *field.type();
  for (int i = 0; i < shape.num_fields(); ++i) {
    path.push_back(i);
    collect_dictionary_fields(*shape.field(i), path, memo, next_id);
    path.pop_back();
  }
}
}  // namespace

DictionaryMemo DictionaryMemo::for_schema(const Schema& schema) {
  DictionaryMemo memo;
  std::int64_t next_id = 0;
  for (int i = 0; i < schema.num_fields(); ++i) {
    FieldPath path{i};
    collect_dictionary_fields(*schema.field(i), path, &memo, &next_id);
  }
  return memo;
}

Status DictionaryMemo::add_field(FieldPath path, std::int64_t id, DataTypePtr type) {
  if (!type || type->id() != TypeId::kDictionary) return Status::TypeError("add_field needs a dictionary type");
  auto it = fields_.find(id);
  if (it != fields_.end()) {
    // Fields that share a dictionary must agree on its values' type.
    if (!it->second.first->value_type()->equals(*type->value_type())) {
      return Status::Invalid("dictionary id ", id, " is used for ", it->second.first->value_type()->to_string(),
                             " and for ", type->value_type()->to_string(), " values");
    }
  } else {
    fields_.emplace(id, std::make_pair(type, path));
  }
  ids_[std::move(path)] = id;
  return Status::OK();
}

Result<std::int64_t> DictionaryMemo::id_for(const FieldPath& path) const {
  auto it = ids_.find(path);
  if (it == ids_.end()) return Status::KeyError("no dictionary-encoded field at that position");
  return it->second;
}

Result<std::pair<DataTypePtr, DictionaryMemo::FieldPath>> DictionaryMemo::field_for(std::int64_t id) const {
  auto it = fields_.find(id);
  if (it == fields_.end()) return Status::KeyError("dictionary id ", id, " is not used by any field of the schema");
  return it->second;
}

bool DictionaryMemo::has_dictionary(std::int64_t id) const { return dictionaries_.count(id) > 0; }

void DictionaryMemo::set_dictionary(std::int64_t id, std::shared_ptr<ArrayData> values) {
  auto d = std::make_shared<Dictionary>();
  d->bytes = data_bytes(*values);
  d->current = std::move(values);
  auto& slot = dictionaries_[id];
  if (slot) bytes_ -= slot->bytes;
  bytes_ += d->bytes;
  slot = std::move(d);
}

void DictionaryMemo::add_delta(std::int64_t id, std::shared_ptr<ArrayData> values) {
  auto& slot = dictionaries_[id];
  if (!slot) {
    set_dictionary(id, std::move(values));
    return;
  }
  const std::int64_t n = data_bytes(*values);
  slot->bytes += n;
  bytes_ += n;
  slot->pending.push_back(std::move(values));
}

Result<std::shared_ptr<ArrayData>> DictionaryMemo::dictionary(std::int64_t id, MemoryPool* pool,
                                                              ReadBudget* budget) const {
  return catch_exceptions("joining dictionary deltas", [&]() -> Result<std::shared_ptr<ArrayData>> {
    auto it = dictionaries_.find(id);
    if (it == dictionaries_.end()) return std::shared_ptr<ArrayData>();
    Dictionary& d = *it->second;
    if (!d.pending.empty()) ARROWPACK_RETURN_NOT_OK(d.join(pool, budget));
    return d.current;
  });
}

Status DictionaryMemo::join_deltas(MemoryPool* pool, ReadBudget* budget) const {
  return catch_exceptions("joining dictionary deltas", [&]() -> Status {
    for (const auto& [id, d] : dictionaries_) {
      if (!d->pending.empty()) ARROWPACK_RETURN_NOT_OK(d->join(pool, budget));
    }
    return Status::OK();
  });
}

}  // namespace arrowpack::ipc
