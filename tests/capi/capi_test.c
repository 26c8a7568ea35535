/* libarrowpack_c from C: the header compiles as C, and a hand-made C stream of one batch
 * (an int32 column) goes to IPC bytes and back, with the release rules of the specification;
 * an inconsistent array gets EINVAL and a message. Run by ctest (also under ASan). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrowpack/arrowpack_c.h"

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              arrowpack_last_error());                                     \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

static int32_t values[5] = {1, 2, 3, 4, 5};
static int released_schemas = 0, released_arrays = 0, released_streams = 0, batches_given = 0;

static void release_schema(struct ArrowSchema* s) {
  for (int64_t i = 0; i < s->n_children; ++i) {
    if (s->children[i]->release) s->children[i]->release(s->children[i]);
  }
  s->release = NULL;
  released_schemas++;
}
static void release_child_schema(struct ArrowSchema* s) { s->release = NULL; }

static struct ArrowSchema column_schema;
static struct ArrowSchema* column_schemas[1] = {&column_schema};

static void fill_schema(struct ArrowSchema* out) {
  memset(&column_schema, 0, sizeof column_schema);
  column_schema.format = "i";
  column_schema.name = "x";
  column_schema.flags = ARROW_FLAG_NULLABLE;
  column_schema.release = &release_child_schema;
  memset(out, 0, sizeof *out);
  out->format = "+s";
  out->name = "";
  out->n_children = 1;
  out->children = column_schemas;
  out->release = &release_schema;
}

static void release_child_array(struct ArrowArray* a) { a->release = NULL; }
static void release_array(struct ArrowArray* a) {
  if (a->children[0]->release) a->children[0]->release(a->children[0]);
  a->release = NULL;
  released_arrays++;
}

static const void* column_buffers[2] = {NULL, values};
static const void* struct_buffers[1] = {NULL};
static struct ArrowArray column;
static struct ArrowArray* columns[1] = {&column};

static void fill_batch(struct ArrowArray* out, int64_t column_length) {
  memset(&column, 0, sizeof column);
  column.length = column_length;
  column.n_buffers = 2;
  column.buffers = column_buffers;
  column.release = &release_child_array;
  memset(out, 0, sizeof *out);
  out->length = 5;
  out->n_buffers = 1;
  out->n_children = 1;
  out->buffers = struct_buffers;
  out->children = columns;
  out->release = &release_array;
}

static int get_schema(struct ArrowArrayStream* s, struct ArrowSchema* out) {
  (void)s;
  fill_schema(out);
  return 0;
}
static int get_next(struct ArrowArrayStream* s, struct ArrowArray* out) {
  (void)s;
  if (batches_given++ == 1) {
    memset(out, 0, sizeof *out); /* the end */
    return 0;
  }
  fill_batch(out, 5);
  return 0;
}
static const char* get_last_error(struct ArrowArrayStream* s) {
  (void)s;
  return NULL;
}
static void release_stream(struct ArrowArrayStream* s) {
  s->release = NULL;
  released_streams++;
}

int main(void) {
  CHECK(strchr(arrowpack_version(), '.') != NULL);

  /* C stream -> IPC bytes. */
  struct ArrowArrayStream in = {&get_schema, &get_next, &get_last_error, &release_stream, NULL};
  uint8_t* bytes = NULL;
  int64_t size = 0;
  CHECK(arrowpack_ipc_write_stream(&in, &bytes, &size) == 0);
  CHECK(in.release == NULL && released_streams == 1 && released_arrays == 1 && released_schemas == 1);
  CHECK(size > 0 && bytes != NULL);

  /* IPC bytes -> C stream, read in place. */
  struct ArrowArrayStream out;
  CHECK(arrowpack_ipc_read_stream(bytes, size, &out) == 0);
  struct ArrowSchema schema;
  CHECK(out.get_schema(&out, &schema) == 0);
  CHECK(strcmp(schema.format, "+s") == 0 && schema.n_children == 1);
  CHECK(strcmp(schema.children[0]->format, "i") == 0 && strcmp(schema.children[0]->name, "x") == 0);
  schema.release(&schema);
  struct ArrowArray batch;
  CHECK(out.get_next(&out, &batch) == 0);
  CHECK(batch.release != NULL && batch.length == 5 && batch.n_children == 1);
  const int32_t* got = (const int32_t*)batch.children[0]->buffers[1];
  CHECK(got[0] == 1 && got[4] == 5);
  CHECK((const uint8_t*)got >= bytes && (const uint8_t*)got < bytes + size); /* no copy */
  batch.release(&batch);
  CHECK(out.get_next(&out, &batch) == 0);
  CHECK(batch.release == NULL); /* the end */
  out.release(&out);
  arrowpack_free(bytes);

  /* A struct whose child is shorter than the struct: EINVAL, and both structs released. */
  struct ArrowSchema s;
  struct ArrowArray a, checked;
  struct ArrowSchema checked_schema;
  fill_schema(&s);
  fill_batch(&a, 3);
  released_arrays = released_schemas = 0;
  CHECK(arrowpack_validate_array(&a, &s, &checked, &checked_schema) == EINVAL);
  CHECK(strstr(arrowpack_last_error(), "shorter") != NULL);
  CHECK(a.release == NULL && s.release == NULL && released_arrays == 1 && released_schemas == 1);

  /* Garbage bytes: EINVAL. */
  static const uint8_t garbage[16] = {0xff, 0xff, 0xff, 0xff, 0x08, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(arrowpack_ipc_read_stream(garbage, sizeof garbage, &out) == EINVAL);
  CHECK(strlen(arrowpack_last_error()) > 0);
  puts("capi_test: ok");
  return 0;
}
