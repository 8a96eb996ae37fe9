/* A very small test harness for the C tests of d1_tracking. */
#ifndef D1T_TEST_HARNESS_H
#define D1T_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern int harness_passed;
extern int harness_failed;

#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    if (cond) {                                                              \
      harness_passed++;                                                      \
    } else {                                                                 \
      harness_failed++;                                                      \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
      fprintf(stderr, __VA_ARGS__);                                          \
      fputc('\n', stderr);                                                   \
    }                                                                        \
  } while (0)

#define CHECK_RC(rc, expected) \
  CHECK((rc) == (expected), "result %u (%s), expected %u", (unsigned)(rc), d1t_result_name(rc), (unsigned)(expected))

/* A growable string. */
typedef struct {
  char *data;
  size_t len;
  size_t cap;
} strbuf;

void sb_put(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
/* Appends `s` as a JSON string, escaped as serde_json escapes. */
void sb_json_string(strbuf *b, const char *s);
void sb_free(strbuf *b);

/* Decodes hex ("-" is empty); the result is NUL-terminated. Free with free(). */
unsigned char *unhex(const char *hex, size_t *len);

/* The bytes of a string literal, for the (ptr, len) arguments. */
#define BYTES(s) (const uint8_t *)(s), strlen(s)

void run_api_tests(void);
void run_vector_tests(const char *path);
void run_catalogue_tests(const char *path);
void run_rows_tests(void);

#endif
