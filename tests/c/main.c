/* The C tests of d1_tracking: every function of the header, the shared
 * vectors and the bad-input catalogue. Prints "N passed, N failed". */
#include "harness.h"

int main(int argc, char **argv) {
  const char *fixtures = argc > 1 ? argv[1] : "target/c-fixtures";
  char path[4096];
  run_api_tests();
  run_rows_tests();
  snprintf(path, sizeof path, "%s/vectors.txt", fixtures);
  run_vector_tests(path);
  snprintf(path, sizeof path, "%s/catalogue.txt", fixtures);
  run_catalogue_tests(path);
  printf("%d passed, %d failed\n", harness_passed, harness_failed);
  return harness_failed == 0 ? 0 : 1;
}
