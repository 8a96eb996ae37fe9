#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <stdlib.h>

int harness_passed = 0;
int harness_failed = 0;

void sb_put(strbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *grown = realloc(b->data, cap);
    if (grown == NULL) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

void sb_json_string(strbuf *b, const char *s) {
  static const char hexdigits[] = "0123456789abcdef";
  sb_put(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char esc[7];
    switch (*p) {
      case '"': sb_put(b, "\\\"", 2); break;
      case '\\': sb_put(b, "\\\\", 2); break;
      case '\b': sb_put(b, "\\b", 2); break;
      case '\f': sb_put(b, "\\f", 2); break;
      case '\n': sb_put(b, "\\n", 2); break;
      case '\r': sb_put(b, "\\r", 2); break;
      case '\t': sb_put(b, "\\t", 2); break;
      default:
        if (*p < 0x20) {
          esc[0] = '\\'; esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
          esc[4] = hexdigits[*p >> 4]; esc[5] = hexdigits[*p & 15]; esc[6] = 0;
          sb_put(b, esc, 6);
        } else {
          sb_put(b, (const char *)p, 1);
        }
    }
  }
  sb_put(b, "\"", 1);
}

void sb_free(strbuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

unsigned char *unhex(const char *hex, size_t *len) {
  size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
  unsigned char *out = malloc(n + 1);
  if (out == NULL) exit(2);
  for (size_t i = 0; i < n; i++) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      fprintf(stderr, "bad hex in fixture\n");
      exit(2);
    }
    out[i] = (unsigned char)(hi * 16 + lo);
  }
  out[n] = 0;
  *len = n;
  return out;
}
