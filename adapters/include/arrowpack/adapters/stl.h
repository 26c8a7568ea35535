// Converters for arithmetic types, strings and the standard containers, one header per
// family (stl/scalar.h, vector.h, list.h, array.h, map.h, set.h, tuple.h, optional.h,
// variant.h; tensors and spans of numbers in tensor.h). This header includes them all;
// include only the families you use to compile less. A container of a type whose family is
// not included fails with the front door's readable static_assert.
//   bool -> bool; integers and enums -> int (uint64 above 2^63-1 is refused); float -> float32;
//   double -> float64; std::string -> string; std::vector<std::byte> -> bytes;
//   std::vector/std::array/std::list -> list; std::map/std::unordered_map -> dict;
//   std::set/std::unordered_set -> set; std::pair/std::tuple -> tuple;
//   std::optional -> None or the value; std::variant -> the active alternative.
// Reading accepts what pyarrow writes for the same Python shapes (a list where a tuple is
// expected, an int where a double is) and checks ranges and sizes. A std::vector of row
// types also reads from the columnar form, one table (columnar.h).
#pragma once

#include "arrowpack/adapters/stl/array.h"
#include "arrowpack/adapters/stl/list.h"
#include "arrowpack/adapters/stl/map.h"
#include "arrowpack/adapters/stl/optional.h"
#include "arrowpack/adapters/stl/scalar.h"
#include "arrowpack/adapters/stl/set.h"
#include "arrowpack/adapters/stl/tuple.h"
#include "arrowpack/adapters/stl/variant.h"
#include "arrowpack/adapters/stl/vector.h"
#include "arrowpack/adapters/tensor.h"
