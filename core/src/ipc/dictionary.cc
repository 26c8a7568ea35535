// DictionaryMemo: the dictionary-encoded fields of a schema and the dictionaries readers
// hold for them. Deltas are appended in place into storage that grows geometrically, so a
// stream of n deltas, each followed by a batch that keeps its dictionary, costs O(total)
// memory and time rather than O(n * total): each batch sees a prefix of the same storage.
#include "arrowpack/core/ipc/dictionary.h"
#include "appendable_internal.h"
#include "ipc/metadata_internal.h"

namespace arrowpack::ipc {

namespace {

// Bytes held by the buffers of `d` and its children.
std::int64_t data_bytes(const ArrayData& d) {
  std::int64_t n = 0;
  for (const auto& b : d.buffers) n += b ? b->size() : 0;
  for (const auto& c : d.children) n += c ? data_bytes(*c) : 0;
  return n;
}

}  // namespace

// One id's dictionary: the values batches see now, and deltas not yet joined to them.
struct DictionaryMemo::Dictionary {
  std::shared_ptr<ArrayData> current;
  std::vector<std::shared_ptr<ArrayData>> pending;
  std::int64_t bytes = 0;                         // of current and pending
  arrowpack::internal::AppendableArray appended;  // where joined deltas grow in place

  // Joins the pending deltas into `current`.
  Status join(MemoryPool* pool, ReadBudget* budget) {
    if (arrowpack::internal::AppendableArray::supports(*current->type)) {
      ARROWPACK_ASSIGN_OR_RAISE(current, appended.append(current, pending, pool, budget));
      pending.clear();
      return Status::OK();
    }
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
