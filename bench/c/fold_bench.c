/* Times folding a workload (JSON Lines, one body per line) through the C
 * library, from C: fold_bench FILE ROUNDS. Prints {"bench":"c","ms":[...]}
 * with the time of each round; bench/src/bin/native_fold.rs is its twin. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "d1_tracking.h"

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s FILE ROUNDS\n", argv[0]);
    return 2;
  }
  /* The whole file in one buffer, lines split in place: the bodies lie in
   * memory as the native twin's do (one string), so both read equally warm
   * input. */
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) {
    perror(argv[1]);
    return 2;
  }
  if (fseek(f, 0, SEEK_END) != 0) return 2;
  long size = ftell(f);
  if (size < 0 || fseek(f, 0, SEEK_SET) != 0) return 2;
  char *text = malloc((size_t)size + 1);
  if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) return 2;
  text[size] = '\0';
  fclose(f);
  size_t n = 0, cap = 1024;
  const char **lines = malloc(cap * sizeof *lines);
  size_t *lens = malloc(cap * sizeof *lens);
  if (lines == NULL || lens == NULL) return 2;
  for (char *p = text; *p != '\0';) {
    char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len > 0) {
      if (n == cap) {
        cap *= 2;
        lines = realloc(lines, cap * sizeof *lines);
        lens = realloc(lens, cap * sizeof *lens);
        if (lines == NULL || lens == NULL) return 2;
      }
      lines[n] = p;
      lens[n++] = len;
    }
    p += len + (end != NULL);
  }
  int rounds = atoi(argv[2]);
  printf("{\"bench\":\"c\",\"bodies\":%zu,\"ms\":[", n);
  for (int r = 0; r < rounds; r++) {
    d1t_tracker *t = NULL;
    if (d1t_tracker_new(NULL, 0, &t) != D1T_OK) return 2;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (size_t i = 0; i < n; i++) {
      if (d1t_tracker_apply(t, (const uint8_t *)lines[i], lens[i], 0, NULL) != D1T_OK) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    d1t_tracker_free(t);
    printf("%s%.3f", r ? "," : "", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
  }
  printf("]}\n");
  free(text);
  free(lines);
  free(lens);
  return 0;
}
