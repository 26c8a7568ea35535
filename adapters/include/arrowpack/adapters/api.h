// Everything of the typed front door: serialize(const T&) / deserialize<T>() for arithmetic
// types, strings, STL containers, Boost.PFR aggregates and registered types. Include
// "arrowpack/adapters/eigen.h" as well for Eigen types. Arrow tables, batches and arrays
// travel as pyarrow stored them (arrow.h); vectors of records can travel as one such table
// (columnar.h: serialize(columnar(rows))).
#pragma once

#include "arrowpack/adapters/arrow.h"
#include "arrowpack/adapters/columnar.h"
#include "arrowpack/adapters/convert.h"
#include "arrowpack/adapters/stl.h"
