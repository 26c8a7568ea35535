// The entry points shared by the fuzz targets: LLVMFuzzerTestOneInput for libFuzzer builds,
// and otherwise a main() that replays the files named on the command line once each.
// Include it after defining `void fuzz_one(const std::uint8_t*, std::size_t)`; a target with
// an LLVMFuzzerInitialize defines ARROWPACK_FUZZ_HAS_INIT, and the replay calls it first too.
#pragma once

#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
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
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::cerr << argv[0] << ": cannot open " << argv[i] << "\n";
      return 1;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {  // a read error, or a folder
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
