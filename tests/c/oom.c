/* What allocation failure does, as the header documents it: the library
 * aborts the process (Rust's default) with "memory allocation of N bytes
 * failed" on standard error. run.sh runs this under `ulimit -v` and checks
 * the signal and the message. Bounds are raised so that only memory stops
 * the tracker. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "d1_tracking.h"

int main(void) {
  static const char options[] =
      "{\"maxStateBytes\":1000000000000,\"maxCards\":1000000000,\"maxOperationBytes\":65535,"
      "\"maxStringBytes\":65535,\"maxBodyBytes\":100000000,\"maxOperationsPerBody\":100000}";
  d1t_tracker *t = NULL;
  if (d1t_tracker_new((const uint8_t *)options, strlen(options), &t) != D1T_OK) return 2;
  size_t filler_len = 60000, cap = 100 * (filler_len + 300) + 64;
  char *filler = malloc(filler_len + 1), *body = malloc(cap);
  if (filler == NULL || body == NULL) return 2;
  memset(filler, 'x', filler_len);
  filler[filler_len] = '\0';
  for (unsigned long card = 0;;) {
    size_t len = (size_t)snprintf(body, cap, "{\"operations\":[");
    for (int i = 0; i < 100; i++, card++) {
      len += (size_t)snprintf(body + len, cap - len,
                              "%s{\"operationId\":\"op-1\",\"operation\":\"STANDALONE_TRACKING\",\"status\":\"PENDING\","
                              "\"startTime\":\"2026-03-02T09:00:00Z\",\"cardId\":\"card-%lu\",\"details\":"
                              "{\"trackingType\":\"SHIPMENT\",\"filler\":\"%s\"}}",
                              i ? "," : "", card, filler);
    }
    len += (size_t)snprintf(body + len, cap - len, "]}");
    d1t_result rc = d1t_tracker_apply(t, (const uint8_t *)body, len, 0, NULL);
    if (rc != D1T_OK) {
      /* Not an allocation failure: a bound or a bug. */
      fprintf(stderr, "apply returned %s after %lu cards\n", d1t_result_name(rc), card);
      return 3;
    }
  }
}
