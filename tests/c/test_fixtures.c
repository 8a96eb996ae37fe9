/* The shared vectors and bad-input catalogue, through the C library, from
 * the flat files bindings-c/tests/fixtures.rs writes. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "d1_tracking.h"
#include "harness.h"

/* Appends the step's result: the output, or {"error":<last error>}. */
static void put_result(strbuf *out, d1t_result rc, char *json) {
  if (rc == D1T_OK) {
    sb_puts(out, json);
  } else {
    char *error = NULL;
    CHECK_RC(d1t_last_error_json(&error), D1T_OK);
    sb_puts(out, "{\"error\":");
    sb_puts(out, error ? error : "null");
    sb_puts(out, "}");
    d1t_string_free(error);
  }
  d1t_string_free(json);
}

static char *next_field(char **cursor) {
  char *start = *cursor;
  while (**cursor && **cursor != ' ' && **cursor != '\n') (*cursor)++;
  if (**cursor) *(*cursor)++ = '\0';
  return start;
}

void run_vector_tests(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot open %s (run cargo test -p d1-tracking-c --test fixtures)", path);
  if (f == NULL) return;
  char *line = NULL;
  size_t cap = 0;
  d1t_tracker *t = NULL;
  strbuf reports = {0};
  char name[512] = "";
  int steps = 0, vectors = 0;
  while (getline(&line, &cap, f) > 0) {
    char *cursor = line + 2;
    size_t n;
    switch (line[0]) {
      case 'V': {
        unsigned char *v = unhex(next_field(&cursor), &n);
        snprintf(name, sizeof name, "%s", (char *)v);
        free(v);
        sb_free(&reports);
        steps = 0;
        break;
      }
      case 'C': {
        unsigned char *config = unhex(next_field(&cursor), &n);
        CHECK_RC(d1t_tracker_new(n ? config : NULL, n, &t), D1T_OK);
        free(config);
        break;
      }
      case 'A': {
        uint64_t ms = strtoull(next_field(&cursor), NULL, 10);
        unsigned char *body = unhex(next_field(&cursor), &n);
        char *report = NULL;
        sb_puts(&reports, steps++ ? "," : "");
        /* The call first: argument evaluation order is unspecified in C. */
        d1t_result rc = d1t_tracker_apply(t, body, n, ms, &report);
        put_result(&reports, rc, report);
        free(body);
        break;
      }
      case 'R': {
        size_t card_len, type_len;
        unsigned char *card = unhex(next_field(&cursor), &card_len);
        unsigned char *type = unhex(next_field(&cursor), &type_len);
        uint64_t ms = strtoull(next_field(&cursor), NULL, 10);
        uint32_t tracking = 0;
        d1t_result rc = d1t_tracking_type_parse(type, type_len, &tracking);
        if (rc == D1T_OK) rc = d1t_tracker_record_request(t, card, card_len, tracking, ms, NULL);
        sb_puts(&reports, steps++ ? "," : "");
        if (rc == D1T_OK) {
          sb_puts(&reports, "{\"ok\":true}");
        } else {
          put_result(&reports, rc, NULL);
        }
        free(card);
        free(type);
        break;
      }
      case 'D': {
        uint64_t now = strtoull(next_field(&cursor), NULL, 10);
        uint64_t older = strtoull(next_field(&cursor), NULL, 10);
        char *due = NULL;
        CHECK_RC(d1t_tracker_due_json(t, now, older, &due), D1T_OK);
        sb_puts(&reports, steps++ ? ",{\"due\":" : "{\"due\":");
        sb_puts(&reports, due ? due : "null");
        sb_puts(&reports, "}");
        d1t_string_free(due);
        break;
      }
      case 'X': {
        /* Why a card shows its phase; an unknown card is null. */
        unsigned char *card = unhex(next_field(&cursor), &n);
        char *explained = NULL;
        d1t_result rc = d1t_tracker_explain_json(t, card, n, &explained);
        sb_puts(&reports, steps++ ? ",{\"explain\":" : "{\"explain\":");
        if (rc == D1T_OK) {
          sb_puts(&reports, explained);
        } else {
          CHECK_RC(rc, D1T_ERR_NOT_FOUND);
          sb_puts(&reports, "null");
        }
        sb_puts(&reports, "}");
        d1t_string_free(explained);
        free(card);
        break;
      }
      case 'Q': {
        unsigned char *request = unhex(next_field(&cursor), &n);
        char *call = NULL;
        sb_puts(&reports, steps++ ? "," : "");
        d1t_result rc = d1t_build_track_card_request(request, n, &call);
        put_result(&reports, rc, call);
        free(request);
        break;
      }
      case 'E': {
        unsigned char *expected = unhex(next_field(&cursor), &n);
        char *cards = NULL, *snapshot = NULL;
        CHECK_RC(d1t_tracker_cards_json(t, &cards), D1T_OK);
        CHECK_RC(d1t_tracker_snapshot(t, &snapshot), D1T_OK);
        strbuf actual = {0};
        sb_puts(&actual, "{\"cards\":");
        sb_puts(&actual, cards ? cards : "null");
        sb_puts(&actual, ",\"reports\":[");
        sb_puts(&actual, reports.data ? reports.data : "");
        sb_puts(&actual, "],\"snapshot\":");
        sb_json_string(&actual, snapshot ? snapshot : "");
        sb_puts(&actual, "}");
        CHECK(strcmp(actual.data, (char *)expected) == 0, "vector %s:\n  expected %s\n  actual   %s", name,
              (char *)expected, actual.data);
        vectors++;
        sb_free(&actual);
        d1t_string_free(cards);
        d1t_string_free(snapshot);
        free(expected);
        break;
      }
      case '.':
        d1t_tracker_free(t);
        t = NULL;
        break;
      default:
        CHECK(0, "unexpected fixture line %.20s", line);
    }
  }
  CHECK(vectors >= 40, "ran %d vectors", vectors);
  sb_free(&reports);
  free(line);
  fclose(f);
}

/* Checks the result name and the last error's path against the case. */
static void check_error(const char *case_name, d1t_result rc, const char *code, const char *path) {
  CHECK(rc != D1T_OK && strcmp(d1t_result_name(rc), code) == 0, "%s: %s, expected %s", case_name,
        d1t_result_name(rc), code);
  char *actual_path = NULL;
  d1t_result prc = d1t_last_error_path(&actual_path);
  if (path == NULL) {
    CHECK(prc == D1T_ERR_NOT_FOUND, "%s: unexpected path %s", case_name, actual_path ? actual_path : "");
  } else {
    CHECK(prc == D1T_OK && strcmp(actual_path, path) == 0, "%s: path %s, expected %s", case_name,
          actual_path ? actual_path : "(none)", path);
  }
  d1t_string_free(actual_path);
}

void run_catalogue_tests(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot open %s", path);
  if (f == NULL) return;
  d1t_tracker *t = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, &t), D1T_OK);
  char *line = NULL, *before = NULL;
  size_t cap = 0;
  int cases = 0;
  while (getline(&line, &cap, f) > 0) {
    char *cursor = line + 2;
    size_t n;
    if (line[0] == 'S') {
      unsigned char *body = unhex(next_field(&cursor), &n);
      CHECK_RC(d1t_tracker_apply(t, body, n, 0, NULL), D1T_OK);
      free(body);
      continue;
    }
    if (before == NULL) CHECK_RC(d1t_tracker_snapshot(t, &before), D1T_OK);
    char *target = next_field(&cursor);
    char *scope = next_field(&cursor);
    char *code = next_field(&cursor);
    char *path_hex = next_field(&cursor);
    size_t path_len;
    unsigned char *expected_path = strcmp(path_hex, "-") == 0 ? NULL : unhex(path_hex, &path_len);
    unsigned char *case_name = unhex(next_field(&cursor), &n);
    char *input_field = next_field(&cursor);
    const char *cn = (const char *)case_name;
    const char *ep = (const char *)expected_path;

    if (strcmp(target, "recordRequest") == 0) {
      char *card_hex = strtok(input_field, ",");
      char *type_hex = strtok(NULL, ",");
      char *ms = strtok(NULL, ",");
      size_t card_len, type_len;
      unsigned char *card = unhex(card_hex, &card_len);
      unsigned char *type = unhex(type_hex, &type_len);
      uint32_t tracking = 0;
      d1t_result rc = d1t_tracking_type_parse(type, type_len, &tracking);
      if (rc == D1T_OK) rc = d1t_tracker_record_request(t, card, card_len, tracking, strtoull(ms, NULL, 10), NULL);
      check_error(cn, rc, code, ep);
      free(card);
      free(type);
    } else {
      unsigned char *input = unhex(input_field, &n);
      if (strcmp(target, "apply") == 0 && strcmp(scope, "operation") == 0) {
        char *report = NULL;
        CHECK_RC(d1t_tracker_apply(t, input, n, 0, &report), D1T_OK);
        strbuf want = {0};
        sb_puts(&want, "\"error\":{\"code\":\"");
        sb_puts(&want, code);
        sb_puts(&want, "\",");
        strbuf want_path = {0};
        sb_puts(&want_path, "\"path\":");
        sb_json_string(&want_path, ep ? ep : "");
        CHECK(report && strstr(report, "\"outcome\":\"rejected\"") && strstr(report, want.data) &&
                  strstr(report, want_path.data),
              "%s: report %s", cn, report ? report : "(none)");
        sb_free(&want);
        sb_free(&want_path);
        d1t_string_free(report);
      } else if (strcmp(target, "apply") == 0) {
        char *report = (char *)"untouched";
        check_error(cn, d1t_tracker_apply(t, input, n, 0, &report), code, ep);
        CHECK(strcmp(report, "untouched") == 0, "%s: output written on error", cn);
      } else if (strcmp(target, "restore") == 0) {
        check_error(cn, d1t_tracker_restore(t, input, n), code, ep);
      } else if (strcmp(target, "import") == 0) {
        check_error(cn, d1t_tracker_import_card(t, input, n), code, ep);
      } else if (strcmp(target, "config") == 0) {
        d1t_tracker *other = (d1t_tracker *)&cases; /* a sentinel: must stay */
        check_error(cn, d1t_tracker_new(input, n, &other), code, ep);
        CHECK(other == (d1t_tracker *)&cases, "%s: output written on error", cn);
      } else if (strcmp(target, "trackCardRequest") == 0) {
        char *call = NULL;
        check_error(cn, d1t_build_track_card_request(input, n, &call), code, ep);
        CHECK(call == NULL, "%s: output written on error", cn);
      } else {
        CHECK(0, "unknown target %s", target);
      }
      free(input);
    }
    char *after = NULL;
    CHECK_RC(d1t_tracker_snapshot(t, &after), D1T_OK);
    CHECK(before && after && strcmp(before, after) == 0, "%s changed the state", cn);
    d1t_string_free(after);
    free(case_name);
    free(expected_path);
    cases++;
  }
  CHECK(cases >= 100, "ran %d catalogue cases", cases);
  d1t_string_free(before);
  d1t_tracker_free(t);
  free(line);
  fclose(f);
}
