/*
 * What the examples share: reading a whole file, and printing the library's
 * last error. Header-only (static functions), so each example stays one
 * compile command.
 */
#ifndef D1T_EXAMPLE_IO_H
#define D1T_EXAMPLE_IO_H

#include <stdio.h>
#include <stdlib.h>

#include "d1_tracking.h"

/* Reads a whole file; returns NULL on error. */
static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 4096, n = 0;
  unsigned char *data = malloc(cap);
  size_t got;
  while (data != NULL && (got = fread(data + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      unsigned char *bigger = realloc(data, cap *= 2);
      if (bigger == NULL) free(data);
      data = bigger;
    }
  }
  fclose(f);
  *len = n;
  return data;
}

/* Prints "what: CODE: message" for the last error on this thread. */
static void print_error(const char *what, d1t_result rc) {
  char *message = NULL;
  if (d1t_last_error_message(&message) == D1T_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, d1t_result_name(rc), message);
  } else {
    fprintf(stderr, "%s: %s\n", what, d1t_result_name(rc));
  }
  d1t_string_free(message);
}

#endif
