#include "arrowpack/core/read_limits.h"

#include <limits>

namespace arrowpack {

std::int64_t ReadBudget::limit() const {
  const std::int64_t input = input_.load(std::memory_order_relaxed);
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (per_input_byte_ > 0 && input > (kMax - allowance_) / per_input_byte_) return kMax;
  return allowance_ + per_input_byte_ * input;
}

Status ReadBudget::charge(std::int64_t bytes, std::string_view what) {
  if (bytes <= 0) return Status::OK();
  const std::int64_t before = used_.fetch_add(bytes, std::memory_order_relaxed);
  const std::int64_t cap = limit();
  if (before > cap - bytes) {
    used_.fetch_sub(bytes, std::memory_order_relaxed);
    return Status::CapacityError(
        what, " needs ", bytes, " bytes beyond the ", before, " already decoded; the read budget is ", cap,
        " bytes (ReadLimits::decoded_bytes_allowance ", allowance_, " + decoded_bytes_per_input_byte ", per_input_byte_,
        " x ", input_.load(std::memory_order_relaxed), " input bytes)");
  }
  return Status::OK();
}

}  // namespace arrowpack
