/* libarrowpack_c: arrowpack's C ABI, for any language with a C FFI (Python's ctypes, Rust,
 * Go, Julia, ...). Data crosses it only through the Arrow C data interfaces (abi.h), so a
 * caller that speaks them (pyarrow, nanoarrow, polars, DuckDB) reads and writes Arrow IPC
 * through arrowpack without copying the data.
 *
 * Conventions: every function returns 0 on success and an errno value otherwise (EINVAL for
 * malformed input, ENOMEM past a limit or out of memory, ENOSYS for what arrowpack does not
 * support, EIO for input/output errors); arrowpack_last_error() then describes the error, with
 * the bytes it quotes from the input escaped. Structs passed in are moved: on return, success
 * or not, their release is NULL and arrowpack releases what they held. Structs passed out are
 * the caller's to release. Functions are thread-safe; one stream is used by one thread at a
 * time, as the C stream interface requires. */
#ifndef ARROWPACK_ARROWPACK_C_H
#define ARROWPACK_ARROWPACK_C_H

#include <stdint.h>

#include "arrowpack/core/c/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define ARROWPACK_C_EXPORT __declspec(dllexport)
#else
#define ARROWPACK_C_EXPORT __attribute__((visibility("default")))
#endif

/* The library's version, "MAJOR.MINOR.PATCH". Static storage. */
ARROWPACK_C_EXPORT const char* arrowpack_version(void);

/* The message of the last error of the calling thread ("" when none); valid until the next
 * call of this library on that thread. */
ARROWPACK_C_EXPORT const char* arrowpack_last_error(void);

/* Reads the Arrow IPC stream in data[0, size) as a C stream. Nothing is copied: every batch's
 * buffers point into `data`, which must stay alive and unchanged until the stream and every
 * array taken from it are released. Each batch is validated in full as it is read. Errors:
 * EINVAL for a malformed stream (also from get_next), ENOMEM past arrowpack's read limits. */
ARROWPACK_C_EXPORT int arrowpack_ipc_read_stream(const uint8_t* data, int64_t size, struct ArrowArrayStream* out);

/* Reads the Arrow IPC file at `path` through a memory map, batch by batch, as a C stream. The
 * arrays view the mapping (no copy), which stays mapped until the last of them is released.
 * Errors: EIO when the file cannot be opened or mapped; those of arrowpack_ipc_read_stream(). */
ARROWPACK_C_EXPORT int arrowpack_ipc_read_file(const char* path, struct ArrowArrayStream* out);

/* Writes every batch of `stream` as an Arrow IPC stream into a buffer allocated by arrowpack:
 * *out and *size receive it, to be freed with arrowpack_free(). Each batch is validated in full
 * first. The stream is consumed and released. Errors: EINVAL for an inconsistent batch or a
 * schema arrowpack cannot read; EIO for an error the producer reports. */
ARROWPACK_C_EXPORT int arrowpack_ipc_write_stream(struct ArrowArrayStream* stream, uint8_t** out, int64_t* size);

/* The same as an Arrow IPC file at `path` (created or truncated). A file cannot replace a
 * dictionary, so batches whose dictionaries change are merged into one dictionary that grows
 * by deltas (IpcWriteOptions::unify_dictionaries). Errors: also EIO when the file cannot be
 * written; ENOSYS for changing dictionaries of nested values, which cannot be merged. */
ARROWPACK_C_EXPORT int arrowpack_ipc_write_file(struct ArrowArrayStream* stream, const char* path);

/* Frees a buffer that arrowpack_ipc_write_stream() allocated (NULL is allowed). */
ARROWPACK_C_EXPORT void arrowpack_free(void* buffer);

/* Checks a foreign array against its schema (in full: every length, offset, union code,
 * dictionary index and UTF-8 sequence) and hands it back as out_array/out_schema, which view
 * the same memory and keep the input alive: a gate for data from a producer that is not
 * trusted. Errors: EINVAL for an inconsistent array, ENOSYS for a format arrowpack does not
 * know, ENOMEM past arrowpack's read limits. */
ARROWPACK_C_EXPORT int arrowpack_validate_array(struct ArrowArray* array, struct ArrowSchema* schema,
                                                struct ArrowArray* out_array, struct ArrowSchema* out_schema);

/* The same gate for a stream: `out` yields the batches of `stream`, each checked in full before
 * it is handed on (get_next fails with EINVAL for one that is not). `stream` is moved into
 * `out`. */
ARROWPACK_C_EXPORT int arrowpack_validate_stream(struct ArrowArrayStream* stream, struct ArrowArrayStream* out);

#ifdef __cplusplus
}
#endif

#endif /* ARROWPACK_ARROWPACK_C_H */
