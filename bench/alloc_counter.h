// Counts every heap allocation of the process (malloc and everything built on it: operator
// new, posix_memalign, the default memory pool's small blocks), so that the benchmarks
// report allocations per operation for arrowpack and its peers alike. alloc_counter.cc
// interposes the C allocator of glibc; link it into one benchmark program only.
#pragma once

#include <cstdint>

namespace arrowpack::bench {

/// Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) since the
/// process started. Relaxed atomic: exact on one thread.
std::uint64_t allocations();

}  // namespace arrowpack::bench
