// Sanitizer builds: the sanitizers own malloc, so allocations are not counted (always 0).
#include "alloc_counter.h"

namespace arrowpack::bench {
std::uint64_t allocations() { return 0; }
}  // namespace arrowpack::bench
