// Buffer: immutable bytes that keep their owner alive. A slice holds its parent, so the
// bytes of a memory map or a received message stay valid as long as any array points at them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/status.h"

namespace arrowpack {

/// A contiguous, immutable range of bytes with an optional parent that owns them.
///
/// Buffers are always handled through std::shared_ptr. A Buffer does not own its bytes by
/// itself: ownership lives in a subclass (pool memory, a std::string, a mapping) or in the
/// parent. Reading a Buffer from several threads is safe.
class Buffer : public std::enable_shared_from_this<Buffer> {
 public:
  /// A view of `size` bytes at `data` owned by the caller (must outlive the buffer).
  Buffer(const std::uint8_t* data, std::int64_t size) : data_(data), size_(size) {}
  /// A view of `size` bytes at `data` that keeps `parent` alive.
  Buffer(std::shared_ptr<const Buffer> parent, const std::uint8_t* data, std::int64_t size)
      : data_(data), size_(size), parent_(std::move(parent)) {}
  virtual ~Buffer() = default;

  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  const std::uint8_t* data() const noexcept { return data_; }
  std::int64_t size() const noexcept { return size_; }
  /// Bytes reserved behind data() (>= size(); padding is owned too).
  virtual std::int64_t capacity() const noexcept { return size_; }
  bool is_mutable() const noexcept { return is_mutable_; }
  /// The buffer whose memory this one views, or null.
  const std::shared_ptr<const Buffer>& parent() const noexcept { return parent_; }

  std::span<const std::byte> span() const noexcept {
    return {reinterpret_cast<const std::byte*>(data_), static_cast<std::size_t>(size_)};
  }
  std::string_view view() const noexcept {
    return {reinterpret_cast<const char*>(data_), static_cast<std::size_t>(size_)};
  }
  std::string to_string() const { return std::string(view()); }
  /// Lowercase hex of the bytes (for tests and debugging).
  std::string to_hex() const;

  /// A zero-copy view of [offset, offset + length) that keeps this buffer alive.
  /// Fails with Invalid when the range is not inside the buffer.
  Result<std::shared_ptr<Buffer>> slice(std::int64_t offset, std::int64_t length) const;
  /// A zero-copy view of [offset, size()).
  /// The errors of slice(std::int64_t, std::int64_t).
  Result<std::shared_ptr<Buffer>> slice(std::int64_t offset) const {
    return slice(offset, offset <= size_ ? size_ - offset : -1);
  }

  /// Same bytes (content comparison).
  bool equals(const Buffer& other) const noexcept {
    return size_ == other.size_ && (data_ == other.data_ || size_ == 0 || std::memcmp(data_, other.data_, size_) == 0);
  }
  bool equals(const Buffer& other, std::int64_t nbytes) const noexcept;

  /// Whether [ptr, ptr + n) lies inside this buffer's bytes (for zero-copy checks).
  bool contains(const void* ptr, std::int64_t n = 1) const noexcept {
    auto p = static_cast<const std::uint8_t*>(ptr);
    return p >= data_ && p + n <= data_ + size_;
  }

  /// Wraps caller-owned memory without copying; the memory must outlive every use.
  static std::shared_ptr<Buffer> wrap(const void* data, std::int64_t size) {
    return std::make_shared<Buffer>(static_cast<const std::uint8_t*>(data), size);
  }
  static std::shared_ptr<Buffer> wrap(std::span<const std::byte> bytes) {
    return wrap(bytes.data(), static_cast<std::int64_t>(bytes.size()));
  }
  /// Takes ownership of a string's bytes without copying them.
  static std::shared_ptr<Buffer> from_string(std::string data);
  /// Copies `size` bytes into a new pool buffer.
  /// Errors: Invalid for a negative size; CapacityError past 2^62 bytes; OutOfMemory from the pool.
  static Result<std::shared_ptr<Buffer>> copy_of(const void* data, std::int64_t size,
                                                 MemoryPool* pool = default_memory_pool());

 protected:
  const std::uint8_t* data_;
  std::int64_t size_;
  bool is_mutable_ = false;
  std::shared_ptr<const Buffer> parent_;
};

/// Pool memory that can be written. Frees itself back to its pool.
class MutableBuffer : public Buffer {
 public:
  ~MutableBuffer() override;
  std::uint8_t* mutable_data() noexcept { return const_cast<std::uint8_t*>(data_); }
  std::int64_t capacity() const noexcept override { return capacity_; }
  MemoryPool* pool() const noexcept { return pool_; }
  /// Zeroes the bytes between size() and capacity() (IPC padding must be deterministic).
  void zero_padding() noexcept;

 protected:
  explicit MutableBuffer(MemoryPool* pool) : Buffer(nullptr, 0), pool_(pool) { is_mutable_ = true; }
  friend Result<std::shared_ptr<MutableBuffer>> allocate_buffer(std::int64_t, MemoryPool*);
  std::int64_t capacity_ = 0;
  MemoryPool* pool_;
};

/// A MutableBuffer that can grow (amortised) and shrink.
class ResizableBuffer : public MutableBuffer {
 public:
  /// Sets size() to `new_size`, growing the capacity as needed. New bytes are not initialised.
  /// Errors: Invalid for a negative size; CapacityError past 2^62 bytes; OutOfMemory from the pool.
  Status resize(std::int64_t new_size, bool shrink_to_fit = false);
  /// Makes room for `capacity` bytes without changing size().
  /// The errors of resize().
  Status reserve(std::int64_t capacity);

 private:
  explicit ResizableBuffer(MemoryPool* pool) : MutableBuffer(pool) {}
  /// Allocates or reallocates to `capacity` (rounded up to 64) bytes.
  Status set_capacity(std::int64_t capacity);
  friend Result<std::shared_ptr<ResizableBuffer>> allocate_resizable_buffer(std::int64_t, MemoryPool*);
};

/// Allocates a 64-byte aligned buffer of `size` bytes from `pool`.
/// Errors: Invalid for a negative size; CapacityError past 2^62 bytes; OutOfMemory from the pool.
Result<std::shared_ptr<MutableBuffer>> allocate_buffer(std::int64_t size, MemoryPool* pool = default_memory_pool());
/// Allocates a resizable buffer of `size` bytes from `pool`.
/// The errors of allocate_buffer().
Result<std::shared_ptr<ResizableBuffer>> allocate_resizable_buffer(std::int64_t size,
                                                                   MemoryPool* pool = default_memory_pool());

}  // namespace arrowpack
