// The entry points shared by the fuzz targets: LLVMFuzzerTestOneInput for libFuzzer builds,
// and otherwise a main() that replays the files named on the command line once each.
// Include it after defining `void fuzz_one(const std::uint8_t*, std::size_t)`.
#pragma once

#include <cstdint>
#include <iostream>

#include "arrowpack/core/io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(data, size);
  return 0;
}

#ifndef ARROWPACK_LIBFUZZER
int main(int argc, char** argv) {
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    auto bytes = arrowpack::io::read_file(argv[i]);
    if (!bytes.ok()) {
      std::cerr << argv[0] << ": " << bytes.status().to_string() << "\n";
      return 1;
    }
    fuzz_one((*bytes)->data(), static_cast<std::size_t>((*bytes)->size()));
    ++replayed;
  }
  std::cout << "replayed " << replayed << " inputs without a crash\n";
  return 0;
}
#endif
