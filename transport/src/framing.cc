#include "framing.h"

#include <cstring>
#include <limits>

#include "arrowpack/core/util.h"

namespace arrowpack::transport::framing {

Status check_sendable(const Components& c) {
  ReadLimits unbounded;  // a sender sends what it is given; the receiver applies its limits
  unbounded.max_buffers = unbounded.max_input_bytes = std::numeric_limits<std::int64_t>::max();
  ARROWPACK_RETURN_NOT_OK(c.validate(unbounded));
  if (c.num_sparse_tensors.total() > 0) {
    return Status::NotImplemented(
        "components with sparse tensors cannot be framed yet (a shared-memory region carries them)");
  }
  return Status::OK();
}

std::string encode_header(const Components& c) {
  const auto count = static_cast<std::int64_t>(c.data.size());
  std::string head(static_cast<std::size_t>(header_bytes(count)), '\0');
  std::memcpy(head.data(), kMagic, 8);
  const std::int32_t counts[4] = {c.num_tensors, c.num_ndarrays, c.num_buffers, 0};
  std::memcpy(head.data() + 8, counts, 16);
  std::memcpy(head.data() + 24, &count, 8);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t size = c.data[static_cast<std::size_t>(i)]->size();
    std::memcpy(head.data() + kFixedBytes + 8 * i, &size, 8);
  }
  return head;
}

Status decode_fixed(const std::uint8_t* bytes, const ReadLimits& limits, Components* out, std::int64_t* count) {
  if (std::memcmp(bytes, kMagic, 8) != 0) return Status::Invalid("not an arrowpack components message (bad magic)");
  std::int32_t counts[4];
  std::memcpy(counts, bytes + 8, 16);
  std::memcpy(count, bytes + 24, 8);
  out->num_tensors = counts[0];
  out->num_ndarrays = counts[1];
  out->num_buffers = counts[2];
  if (counts[0] < 0 || counts[1] < 0 || counts[2] < 0 || counts[3] != 0 || *count != out->expected_size()) {
    return Status::Invalid("components message with inconsistent counts (", counts[0], " tensors, ", counts[1],
                           " ndarrays, ", counts[2], " buffers, ", *count, " parts)");
  }
  if (*count > limits.max_buffers) {
    return Status::CapacityError("components message of ", *count,
                                 " buffers exceeds ReadLimits::max_buffers = ", limits.max_buffers);
  }
  return Status::OK();
}

std::vector<std::int64_t> decode_sizes(const std::uint8_t* bytes, std::int64_t count) {
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(count));
  if (count > 0) std::memcpy(sizes.data(), bytes, static_cast<std::size_t>(8 * count));
  return sizes;
}

Result<std::int64_t> check_sizes(std::span<const std::int64_t> sizes, const ReadLimits& limits,
                                 std::int64_t alignment) {
  std::int64_t total = 0;
  for (const std::int64_t size : sizes) {
    if (size < 0) return Status::Invalid("components message announces a buffer of ", size, " bytes");
    if (size > limits.max_input_bytes - total) {
      return Status::CapacityError(
          "components message announces a buffer of ", size,
          " bytes; the message may hold ReadLimits::max_input_bytes = ", limits.max_input_bytes);
    }
    total += util::round_up(size, alignment);
    if (total > limits.max_input_bytes) {
      return Status::CapacityError(
          "components message of more than ReadLimits::max_input_bytes = ", limits.max_input_bytes, " bytes");
    }
  }
  return total;
}

}  // namespace arrowpack::transport::framing
