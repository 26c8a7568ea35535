# Compiler flags shared by every arrowpack target: warnings, -Werror, sanitizers.
add_library(arrowpack_build_flags INTERFACE)
target_compile_options(arrowpack_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wno-missing-field-initializers
                       # A switch on TypeId names every id (type_traits.h): a type added without
                       # its case is a compile error in every build, not a silent default.
                       -Werror=switch)
if(ARROWPACK_WERROR)
  target_compile_options(arrowpack_build_flags INTERFACE -Werror)
endif()
if(ARROWPACK_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${_san})
  add_link_options(-fsanitize=address,undefined)
endif()
if(ARROWPACK_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ARROWPACK_BUILD_FUZZERS needs clang (CXX=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
