// The entry points shared by the fuzz targets: LLVMFuzzerTestOneInput for libFuzzer builds,
// and otherwise a main() that replays the files named on the command line once each.
// Include it after defining `void fuzz_one(const std::uint8_t*, std::size_t)`; a target with
// an LLVMFuzzerInitialize defines ARROWPACK_FUZZ_HAS_INIT, and the replay calls it first too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(data, size);
  return 0;
}

#ifndef ARROWPACK_LIBFUZZER
int main(int argc, char** argv) {
#ifdef ARROWPACK_FUZZ_HAS_INIT
  LLVMFuzzerInitialize(&argc, &argv);
#endif
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    // Read with the standard library: a target may not link arrowpack (python_fuzz).
    std::error_code error;
    std::ifstream in;
    if (std::filesystem::is_regular_file(argv[i], error)) in.open(argv[i], std::ios::binary);
    if (!in.is_open()) {
      std::cerr << argv[0] << ": cannot open " << argv[i] << " (not a readable file)\n";
      return 1;
    }
    std::vector<char> bytes;
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) bytes.insert(bytes.end(), chunk, chunk + in.gcount());
    if (in.bad()) {
      std::cerr << argv[0] << ": cannot read " << argv[i] << "\n";
      return 1;
    }
    static const std::uint8_t kNoBytes = 0;  // an empty input is not a null pointer, as with libFuzzer
    fuzz_one(bytes.empty() ? &kNoBytes : reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++replayed;
  }
  std::cout << "replayed " << replayed << " inputs without a crash\n";
  return 0;
}
#endif
