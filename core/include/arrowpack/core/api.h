// Everything in arrowpack::core.
#pragma once

#include "arrowpack/core/array.h"
#include "arrowpack/core/buffer.h"
#include "arrowpack/core/builder.h"
#include "arrowpack/core/compression.h"
#include "arrowpack/core/decimal.h"
#include "arrowpack/core/half_float.h"
#include "arrowpack/core/hash.h"
#include "arrowpack/core/io.h"
#include "arrowpack/core/ipc.h"
#include "arrowpack/core/memory_pool.h"
#include "arrowpack/core/read_limits.h"
#include "arrowpack/core/record_batch.h"
#include "arrowpack/core/status.h"
#include "arrowpack/core/sparse_tensor.h"
#include "arrowpack/core/tensor.h"
#include "arrowpack/core/type.h"
