/* The Arrow C data interface, C stream interface and C device data interface: the structs
 * every Arrow implementation exchanges in-process (pyarrow, Arrow C++, polars, DuckDB,
 * nanoarrow, ADBC drivers). The definitions follow the specifications ("The Arrow C data
 * interface", "The Arrow C stream interface", "The Arrow C Device data interface" of the Arrow
 * format documentation) and are guarded by the macros the specifications name, so that this
 * header can be included beside another implementation's copy. Plain C: usable from C, and
 * from any language with a C FFI. */
#ifndef ARROWPACK_CORE_C_ABI_H
#define ARROWPACK_CORE_C_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/* A type, and a field's name, nullability and metadata. Released by release(), which the
 * consumer calls once (after which release is NULL). */
struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

/* An array's data: lengths, buffer pointers, children, dictionary. Released like ArrowSchema. */
struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_DEVICE_DATA_INTERFACE
#define ARROW_C_DEVICE_DATA_INTERFACE

typedef int32_t ArrowDeviceType;
#define ARROW_DEVICE_CPU 1

/* An array on a device: the array, the device that holds its buffers, and an event to wait
 * on before reading them (NULL for CPU memory). */
struct ArrowDeviceArray {
  struct ArrowArray array;
  int64_t device_id;
  ArrowDeviceType device_type;
  void* sync_event;
  int64_t reserved[3];
};

#endif /* ARROW_C_DEVICE_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

/* A stream of arrays of one schema. get_schema and get_next return 0 or an errno value;
 * get_next gives a released array (release NULL) at the end; get_last_error describes the
 * last error (valid until the next call). Released like ArrowSchema. */
struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

#ifdef __cplusplus
}
#endif

#endif /* ARROWPACK_CORE_C_ABI_H */
