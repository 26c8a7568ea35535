// Everything of the typed front door: serialize(const T&) / deserialize<T>() for arithmetic
// types, strings, STL containers, Boost.PFR aggregates and registered types. Include
// "arrowpack/adapters/eigen.h" as well for Eigen types.
#pragma once

#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl.h"
