// Fuzz target for the C data interface importer (c::import_array / import_record_batch), as
// a hostile producer in the same process would call it. The input is a script of S bytes
// (its first two bytes say S) and then an IPC stream: each batch the stream holds becomes a
// C struct tree made by this harness (the producer), which the script then corrupts: lengths,
// offsets and null counts, buffer and child counts, null pointers, dropped dictionaries, and
// the bytes of every buffer (offsets, union codes, views, run ends, UTF-8). The importer must
// answer with the batch or a typed error, within the memory budget.
//
// The C interface carries no buffer sizes: a producer must allocate what its lengths and
// offsets declare, and no consumer can check that it did. The harness keeps that one promise
// (lengths and offsets only shrink, the last offset of binary data stays inside the data it
// allocated, view buffer sizes stay true); everything else is the script's to break.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "arrowpack/core/api.h"
#include "budget.h"

namespace ap = arrowpack;

namespace {

// The script: bytes taken one at a time, zeros once it runs out.
struct Script {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t next() { return n > 0 ? (--n, *p++) : 0; }
};

// One node of the producer's struct tree: its own copies of the buffers (writable, so the
// script can corrupt them), and the struct that points at them.
struct Node {
  std::vector<std::vector<std::uint8_t>> storage;
  std::vector<const void*> buffers;
  std::vector<std::unique_ptr<Node>> children;
  std::vector<ArrowArray*> child_pointers;
  std::unique_ptr<Node> dictionary;
  ArrowArray array{};
};

void release_node(ArrowArray* a) { a->release = nullptr; }  // the tree owns everything

// A producer's tree for `d` (exported by arrowpack first, so the buffer list is the C one),
// corrupted by `script`.
std::unique_ptr<Node> produce(const ArrowArray& src, const ap::DataType& type, Script& script, int depth) {
  auto node = std::make_unique<Node>();
  const ap::TypeInfo& info = type.info();
  int null_buffer = -1;
  bool drop_dictionary = false;
  // Buffers: copies, their bytes flipped where the script says.
  for (std::int64_t i = 0; i < src.n_buffers; ++i) {
    const void* p = src.buffers[i];
    node->buffers.push_back(p);
  }
  node->array = src;
  // The struct's own fields: lengths and offsets only shrink; counts and pointers may lie.
  switch (script.next() % 12) {
    case 0: node->array.length = node->array.length * (script.next() % 4) / 4; break;
    case 1: node->array.offset = node->array.offset * (script.next() % 2); break;
    case 2: node->array.null_count = static_cast<std::int8_t>(script.next()); break;
    case 3:
      // Not for views: their last buffer must be the sizes of the others (the interface's
      // promise, which no consumer can check).
      if (!info.variadic_buffers) node->array.n_buffers += static_cast<std::int8_t>(script.next()) % 2 ? 1 : -1;
      break;
    case 4: node->array.n_children += static_cast<std::int8_t>(script.next()) % 2 ? 1 : -1; break;
    case 5: null_buffer = script.next(); break;
    case 6: drop_dictionary = true; break;
    case 7: node->array.null_count = -1; break;
    default: break;
  }
  // What the importer will derive its sizes from: the (possibly shrunk) length and offset.
  const std::int64_t new_end = node->array.offset + node->array.length;
  // The sizes the importer derives are those of the unmodified array; the copies keep them.
  // Copy every buffer into storage of the size it had when exported (known from the export:
  // computed below from the source struct's lengths).
  const std::int64_t end = src.offset + src.length;
  int c = 0;
  auto copy = [&](std::int64_t size) {
    if (node->buffers[c] == nullptr || size <= 0) {
      ++c;
      return;
    }
    node->storage.emplace_back(static_cast<const std::uint8_t*>(node->buffers[c]),
                               static_cast<const std::uint8_t*>(node->buffers[c]) + size);
    auto& bytes = node->storage.back();
    const int flips = script.next() % 4;
    for (int k = 0; k < flips; ++k) {
      const std::size_t at = (static_cast<std::size_t>(script.next()) << 8 | script.next()) % bytes.size();
      bytes[at] = script.next();
    }
    node->buffers[c] = bytes.data();
    ++c;
  };
  const std::int64_t offset_bytes = type.has_large_offsets() ? 8 : 4;
  std::size_t offsets = SIZE_MAX;  // index in storage of a binary array's offsets
  for (int slot = 0; slot < info.num_buffers; ++slot) {
    switch (info.buffers[static_cast<std::size_t>(slot)]) {
      case ap::BufferKind::kAbsent: break;
      case ap::BufferKind::kValidity:
      case ap::BufferKind::kBits: copy(ap::util::bytes_for_bits(end)); break;
      case ap::BufferKind::kValues: {
        const std::int64_t w =
            type.id() == ap::TypeId::kDictionary ? type.index_type()->byte_width() : type.byte_width();
        copy(end * w);
        break;
      }
      case ap::BufferKind::kOffsets32:
      case ap::BufferKind::kOffsets64: {
        const bool has = node->buffers[c] != nullptr && src.length > 0;
        copy(src.length > 0 ? (end + 1) * offset_bytes : 0);
        if (has && info.children == ap::ChildLayout::kNone) offsets = node->storage.size() - 1;
        break;
      }
      case ap::BufferKind::kData: {
        // The producer's promise: the last offset stays inside the data it allocated.
        std::int64_t size = 0;
        if (offsets != SIZE_MAX) {
          std::uint8_t* offset_bytes_at = node->storage[offsets].data();
          std::int64_t last = 0;
          // The unmodified data size is what the export declared: the original last offset.
          const auto* orig = static_cast<const std::uint8_t*>(src.buffers[c - 1]);
          std::int64_t original = 0;
          std::memcpy(&original, orig + end * offset_bytes, static_cast<std::size_t>(offset_bytes));
          if (offset_bytes == 4) original = static_cast<std::int32_t>(original);
          size = original;
          std::memcpy(&last, offset_bytes_at + new_end * offset_bytes, static_cast<std::size_t>(offset_bytes));
          if (offset_bytes == 4) last = static_cast<std::int32_t>(last);
          if (last > original || last < 0) {
            const std::int64_t fixed = last < 0 ? last : original;  // negative stays: the importer refuses it
            std::memcpy(offset_bytes_at + new_end * offset_bytes, &fixed, static_cast<std::size_t>(offset_bytes));
          }
        }
        copy(size);
        break;
      }
      case ap::BufferKind::kTypeIds: copy(end); break;
      case ap::BufferKind::kUnionOffsets: copy(end * 4); break;
      case ap::BufferKind::kViews: copy(end * 16); break;
      case ap::BufferKind::kSizes32:
      case ap::BufferKind::kSizes64: copy(end * offset_bytes); break;
    }
  }
  if (info.variadic_buffers) {
    // Data buffers of views, of their true sizes (the last buffer); the sizes stay true.
    const std::int64_t n = src.n_buffers - c - 1;
    const auto* sizes = static_cast<const std::int64_t*>(src.buffers[src.n_buffers - 1]);
    for (std::int64_t k = 0; k < n; ++k) copy(sizes[k]);
  }
  if (null_buffer >= 0 && !node->buffers.empty())
    node->buffers[static_cast<std::size_t>(null_buffer) % node->buffers.size()] = nullptr;
  node->array.buffers = node->buffers.data();
  // Children and dictionary, produced the same way.
  for (std::int64_t i = 0; i < src.n_children; ++i) {
    const ap::DataType& child_type = *type.field(static_cast<int>(i))->type();
    node->children.push_back(produce(*src.children[i], child_type, script, depth + 1));
  }
  for (auto& child : node->children) node->child_pointers.push_back(&child->array);
  node->array.children = node->child_pointers.data();
  if (src.dictionary != nullptr) {
    node->dictionary = produce(*src.dictionary, *type.value_type(), script, depth + 1);
    node->array.dictionary = drop_dictionary ? nullptr : &node->dictionary->array;
  }
  node->array.release = &release_node;
  node->array.private_data = nullptr;
  if (node->array.n_buffers < 0 || node->array.n_buffers > static_cast<std::int64_t>(node->buffers.size())) {
    node->array.n_buffers = static_cast<std::int64_t>(node->buffers.size());  // the pointer arrays we have
  }
  if (node->array.n_children < 0 || node->array.n_children > static_cast<std::int64_t>(node->children.size())) {
    node->array.n_children = static_cast<std::int64_t>(node->children.size());
  }
  (void)depth;
  return node;
}

void run(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const std::size_t script_size = std::min<std::size_t>(size - 2, std::size_t{data[0]} | std::size_t{data[1]} << 8);
  Script script{data + 2, script_size};
  const std::uint8_t* stream = data + 2 + script_size;
  const std::size_t stream_size = size - 2 - script_size;
  ap::ipc::IpcReadOptions options;
  options.limits = fuzz_budget::limits();
  auto reader = ap::ipc::open_stream(ap::Buffer::wrap(stream, static_cast<std::int64_t>(stream_size)), options);
  if (!reader.ok()) return;
  ap::c::ImportOptions import_options;
  import_options.limits = fuzz_budget::limits();
  for (int i = 0; i < 8; ++i) {
    auto batch = (*reader)->read_next_batch();
    if (!batch.ok() || !*batch) return;
    ArrowArray exported{};
    if (!ap::c::export_record_batch(**batch, &exported).ok()) return;
    auto type = ap::struct_((*batch)->schema()->fields());
    auto producer = produce(exported, *type, script, 0);
    auto imported = ap::c::import_record_batch(&producer->array, (*batch)->schema(), import_options);
    if (imported.ok()) {
      volatile bool same = (*imported)->equals(**batch);
      (void)same;
      volatile std::size_t text = (*imported)->to_string().size();
      (void)text;
    }
    exported.release(&exported);
  }
}

}  // namespace

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  fuzz_budget::within_budget(size, "c_import_fuzz", [&] { run(data, size); });
}

#include "replay_main.h"
