/*
 * fold_files: reads D1 notification bodies from files (one body per file, as
 * a spool directory of received webhooks holds them), folds them, and prints
 * each card's phase.
 *
 *   fold_files [--snapshot FILE] BODY_FILE...
 *
 * With --snapshot, the state is restored from FILE when it exists and saved
 * back to it at the end, so runs accumulate. Exit status: 0 when every file
 * was read (rejected bodies are reported on stderr), 2 on usage or I/O errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "d1_tracking.h"
#include "example_io.h"

/* Prints "card-id PHASE" for every card, reading ids from the cards JSON
 * array without a JSON parser: each view holds "cardId":"..." once (its
 * entries and alerts have no cardId member). */
static int print_phases(const d1t_tracker *tracker) {
  char *cards = NULL;
  d1t_result rc = d1t_tracker_cards_json(tracker, &cards);
  if (rc != D1T_OK) {
    print_error("cards", rc);
    return 2;
  }
  const char *marker = "\"cardId\":\"";
  for (const char *p = strstr(cards, marker); p != NULL; p = strstr(p, marker)) {
    p += strlen(marker);
    size_t len = strcspn(p, "\""); /* card ids are [A-Za-z0-9_-]: no escapes */
    uint32_t phase = 0;
    if (d1t_tracker_card_phase(tracker, (const uint8_t *)p, len, &phase) == D1T_OK) {
      printf("%.*s %s\n", (int)len, p, d1t_phase_name(phase));
    }
  }
  d1t_string_free(cards);
  return 0;
}

int main(int argc, char **argv) {
  const char *snapshot_path = NULL;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--snapshot") == 0) {
    snapshot_path = argv[2];
    first = 3;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: %s [--snapshot FILE] BODY_FILE...\n", argv[0]);
    return 2;
  }
  if (strcmp(d1t_version(), D1T_VERSION_STRING) != 0) {
    fprintf(stderr, "linked library %s, header %s\n", d1t_version(), D1T_VERSION_STRING);
    return 2;
  }

  d1t_tracker *tracker = NULL;
  d1t_result rc = d1t_tracker_new(NULL, 0, &tracker);
  if (rc != D1T_OK) {
    print_error("new", rc);
    return 2;
  }
  size_t len = 0;
  unsigned char *data = snapshot_path ? read_file(snapshot_path, &len) : NULL;
  if (data != NULL) {
    rc = d1t_tracker_restore(tracker, data, len);
    free(data);
    if (rc != D1T_OK) {
      print_error(snapshot_path, rc);
      d1t_tracker_free(tracker);
      return 2;
    }
  }

  int status = 0;
  for (int i = first; i < argc && status == 0; i++) {
    data = read_file(argv[i], &len);
    if (data == NULL) {
      perror(argv[i]);
      status = 2;
      break;
    }
    rc = d1t_tracker_apply(tracker, data, len, 0, NULL);
    free(data);
    if (rc != D1T_OK) print_error(argv[i], rc); /* rejected whole; nothing changed */
  }

  if (status == 0) status = print_phases(tracker);
  if (status == 0 && snapshot_path != NULL) {
    char *snapshot = NULL;
    FILE *f = NULL;
    if (d1t_tracker_snapshot(tracker, &snapshot) == D1T_OK && (f = fopen(snapshot_path, "wb")) != NULL) {
      fputs(snapshot, f);
      fclose(f);
    } else {
      perror(snapshot_path);
      status = 2;
    }
    d1t_string_free(snapshot);
  }
  d1t_tracker_free(tracker);
  return status;
}
