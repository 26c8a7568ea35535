#include "arrowpack/core/buffer.h"

#include <algorithm>

#include "arrowpack/core/util.h"

namespace arrowpack {
namespace {

// Keeps a std::string alive behind a Buffer that views it.
class StringBuffer : public Buffer {
 public:
  explicit StringBuffer(std::string data) : Buffer(nullptr, 0), owned_(std::move(data)) {
    data_ = reinterpret_cast<const std::uint8_t*>(owned_.data());
    size_ = static_cast<std::int64_t>(owned_.size());
  }

 private:
  std::string owned_;
};

}  // namespace

std::string Buffer::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<std::size_t>(size_) * 2);
  for (std::int64_t i = 0; i < size_; ++i) {
    out.push_back(kDigits[data_[i] >> 4]);
    out.push_back(kDigits[data_[i] & 15]);
  }
  return out;
}

Result<std::shared_ptr<Buffer>> Buffer::slice(std::int64_t offset, std::int64_t length) const {
  if (offset < 0 || length < 0 || offset > size_ || length > size_ - offset) {
    return Status::Invalid("buffer slice [", offset, ", +", length, ") out of bounds of a ", size_, "-byte buffer");
  }
  return std::make_shared<Buffer>(shared_from_this(), data_ + offset, length);
}

bool Buffer::equals(const Buffer& other, std::int64_t nbytes) const noexcept {
  return nbytes >= 0 && size_ >= nbytes && other.size_ >= nbytes &&
         (data_ == other.data_ || nbytes == 0 || std::memcmp(data_, other.data_, nbytes) == 0);
}

std::shared_ptr<Buffer> Buffer::from_string(std::string data) {
  return std::make_shared<StringBuffer>(std::move(data));
}

Result<std::shared_ptr<Buffer>> Buffer::copy_of(const void* data, std::int64_t size, MemoryPool* pool) {
  ARROWPACK_ASSIGN_OR_RAISE(auto buf, allocate_buffer(size, pool));
  if (size > 0) std::memcpy(buf->mutable_data(), data, static_cast<std::size_t>(size));
  return std::shared_ptr<Buffer>(std::move(buf));
}

MutableBuffer::~MutableBuffer() {
  if (data_ != nullptr) pool_->free(mutable_data(), capacity_, kDefaultAlignment);
}

void MutableBuffer::zero_padding() noexcept {
  if (capacity_ > size_) std::memset(mutable_data() + size_, 0, capacity_ - size_);
}

Result<std::shared_ptr<MutableBuffer>> allocate_buffer(std::int64_t size, MemoryPool* pool) {
  if (size < 0) return Status::Invalid("negative buffer size ", size);
  if (size > (std::int64_t{1} << 62)) return Status::CapacityError("buffer of ", size, " bytes refused");
  std::shared_ptr<MutableBuffer> buf(new MutableBuffer(pool));
  // Round the capacity to 64 bytes so IPC writers can pad without reallocating.
  const std::int64_t capacity = util::round_up(size, 64);
  std::uint8_t* p = nullptr;
  ARROWPACK_RETURN_NOT_OK(pool->allocate(capacity, &p));
  buf->data_ = p;
  buf->size_ = size;
  buf->capacity_ = capacity;
  return buf;
}

Result<std::shared_ptr<ResizableBuffer>> allocate_resizable_buffer(std::int64_t size, MemoryPool* pool) {
  std::shared_ptr<ResizableBuffer> buf(new ResizableBuffer(pool));
  ARROWPACK_RETURN_NOT_OK(buf->resize(size));
  return buf;
}

Status ResizableBuffer::set_capacity(std::int64_t capacity) {
  if (capacity > (std::int64_t{1} << 62)) return Status::CapacityError("buffer of ", capacity, " bytes refused");
  std::uint8_t* p = mutable_data();
  const std::int64_t rounded = util::round_up(capacity, 64);
  if (p == nullptr) {
    ARROWPACK_RETURN_NOT_OK(pool_->allocate(rounded, &p));
  } else {
    ARROWPACK_RETURN_NOT_OK(pool_->reallocate(capacity_, rounded, kDefaultAlignment, &p));
  }
  data_ = p;
  capacity_ = rounded;
  return Status::OK();
}

Status ResizableBuffer::reserve(std::int64_t capacity) {
  if (capacity < 0) return Status::Invalid("negative buffer capacity ", capacity);
  if (capacity <= capacity_ && data_ != nullptr) return Status::OK();
  return set_capacity(std::max(capacity, capacity_ * 2));
}

Status ResizableBuffer::resize(std::int64_t new_size, bool shrink_to_fit) {
  if (new_size < 0) return Status::Invalid("negative buffer size ", new_size);
  if (shrink_to_fit && data_ != nullptr && util::round_up(new_size, 64) < capacity_) {
    ARROWPACK_RETURN_NOT_OK(set_capacity(new_size));
  } else if (new_size > capacity_ || data_ == nullptr) {
    // Exact first allocation, geometric growth afterwards.
    ARROWPACK_RETURN_NOT_OK(set_capacity(data_ == nullptr ? new_size : std::max(new_size, capacity_ * 2)));
  }
  size_ = new_size;
  return Status::OK();
}

}  // namespace arrowpack
