/* The host path in C (docs/decisions.md, "The host path"): cards of a body, a fold against rows, a
 * request on a row, evict and clear, the snapshot in pieces, pages of
 * cards, the state's byte count and bound. The same behaviour as
 * core/tests/rows.rs and tests/node/rows.test.mjs. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "d1_tracking.h"
#include "harness.h"

static void body_of(strbuf *b, const char *card, const char *status) {
  b->len = 0;
  sb_puts(b, "{\"operations\":[{\"operationId\":\"op-1\",\"operation\":\"STANDALONE_TRACKING\",\"status\":\"");
  sb_puts(b, status);
  sb_puts(b, "\",\"startTime\":\"2026-03-02T09:00:00Z\",\"cardId\":\"");
  sb_puts(b, card);
  sb_puts(b, "\",\"details\":{\"trackingType\":\"SHIPMENT\"}}]}");
}

/* The "row" member of the first card update in a fold result: its export,
 * as a JSON string (with its quotes), copied into `row`. */
static void first_row(const char *folded, strbuf *row) {
  const char *p = strstr(folded, "\"row\":\"");
  row->len = 0;
  if (p == NULL) return;
  p += 6;
  const char *q = p + 1;
  while (*q && *q != '"') q += (*q == '\\') ? 2 : 1;
  sb_put(row, p, (size_t)(q - p + 1));
}

static void test_fold_rows(void) {
  d1t_tracker *host = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, &host), D1T_OK);
  strbuf body = {0}, rows = {0}, row = {0};
  body_of(&body, "card-1", "PENDING");

  char *cards = NULL;
  CHECK_RC(d1t_tracker_cards_of_body(host, (const uint8_t *)body.data, body.len, &cards), D1T_OK);
  CHECK(cards && strcmp(cards, "[\"card-1\"]") == 0, "%s", cards ? cards : "");
  d1t_string_free(cards);
  cards = NULL;
  CHECK_RC(d1t_tracker_cards_of_body(host, BYTES("{"), &cards), D1T_ERR_PARSING);
  CHECK(cards == NULL, "no output on error");

  /* No row for card-1: an error that names it; the output is untouched. */
  char *folded = NULL;
  CHECK_RC(d1t_tracker_fold_rows(host, (const uint8_t *)body.data, body.len, BYTES("[]"), &folded),
           D1T_ERR_FIELD_MISSING);
  CHECK(folded == NULL, "no output on error");
  char *path = NULL;
  CHECK_RC(d1t_last_error_path(&path), D1T_OK);
  CHECK(path && strcmp(path, "rows") == 0, "%s", path ? path : "");
  d1t_string_free(path);

  sb_puts(&rows, "[{\"cardId\":\"card-1\",\"row\":null}]");
  CHECK_RC(d1t_tracker_fold_rows(host, (const uint8_t *)body.data, body.len, (const uint8_t *)rows.data, rows.len, &folded),
           D1T_OK);
  CHECK(folded && strstr(folded, "\"cardId\":\"card-1\"") && strstr(folded, "\"phase\":\"TRACKING\""), "%s",
        folded ? folded : "");
  first_row(folded, &row);
  CHECK(row.len > 2, "a row");
  d1t_string_free(folded);
  folded = NULL;

  /* The same body against the new row: a duplicate, nothing to write. */
  rows.len = 0;
  sb_puts(&rows, "[{\"cardId\":\"card-1\",\"row\":");
  sb_put(&rows, row.data, row.len);
  sb_puts(&rows, "}]");
  CHECK_RC(d1t_tracker_fold_rows(host, (const uint8_t *)body.data, body.len, (const uint8_t *)rows.data, rows.len, &folded),
           D1T_OK);
  CHECK(folded && strstr(folded, "\"cards\":[]") && strstr(folded, "\"outcome\":\"duplicate\""), "%s",
        folded ? folded : "");
  d1t_string_free(folded);

  /* A row the library cannot read fails its card only: the operation is
     parked (rejected, retry false) and the card listed in "failed". */
  rows.len = 0;
  sb_puts(&rows, "[{\"cardId\":\"card-1\",\"row\":\"{not a row\"}]");
  CHECK_RC(d1t_tracker_fold_rows(host, (const uint8_t *)body.data, body.len, (const uint8_t *)rows.data, rows.len, &folded),
           D1T_OK);
  CHECK(folded && strstr(folded, "\"failed\":[{\"cardId\":\"card-1\"") && strstr(folded, "\"outcome\":\"rejected\"")
            && strstr(folded, "\"retry\":false") && strstr(folded, "\"cards\":[]"),
        "%s", folded ? folded : "");
  d1t_string_free(folded);
  folded = NULL;

  /* A request on a row (none yet): its phase change. */
  char *update = NULL;
  CHECK_RC(d1t_tracker_record_request_on_row(host, BYTES("card-2"), NULL, 0, D1T_TRACKING_PRODUCE, 1772442000000u, &update),
           D1T_OK);
  CHECK(update && strstr(update, "\"new\":\"TRACKING_REQUESTED\""), "%s", update ? update : "");
  d1t_string_free(update);
  update = NULL;
  CHECK_RC(d1t_tracker_record_request_on_row(host, BYTES("card-2"), NULL, 0, D1T_TRACKING_UNTYPED, 0, &update),
           D1T_ERR_FIELD_INVALID_VALUE);
  CHECK(update == NULL, "no output on error");

  /* The host's tracker was never changed. */
  size_t count = 99;
  CHECK_RC(d1t_tracker_card_count(host, &count), D1T_OK);
  CHECK(count == 0, "%zu cards", count);
  sb_free(&body);
  sb_free(&rows);
  sb_free(&row);
  d1t_tracker_free(host);
}

static void test_evict_pieces_pages_bound(void) {
  d1t_tracker *t = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, &t), D1T_OK);
  strbuf body = {0}, whole = {0};
  char card[16];
  for (int i = 0; i < 25; i++) {
    snprintf(card, sizeof card, "card-%02d", i);
    body_of(&body, card, "PENDING");
    CHECK_RC(d1t_tracker_apply(t, (const uint8_t *)body.data, body.len, 0, NULL), D1T_OK);
  }
  size_t bytes = 0;
  CHECK_RC(d1t_tracker_state_bytes(t, &bytes), D1T_OK);
  CHECK(bytes > 0, "%zu", bytes);

  /* Pieces of 7 cards concatenate to the snapshot. */
  char *after = NULL;
  int pieces = 0;
  for (;;) {
    char *chunk = NULL, *next = NULL;
    d1t_result rc = d1t_tracker_snapshot_chunk(t, (const uint8_t *)after, after ? strlen(after) : 0, 7, &chunk, &next);
    CHECK_RC(rc, D1T_OK);
    if (rc != D1T_OK) break;
    sb_puts(&whole, chunk);
    pieces++;
    d1t_string_free(chunk);
    d1t_string_free(after);
    after = next;
    if (after == NULL) break;
  }
  char *snapshot = NULL;
  CHECK_RC(d1t_tracker_snapshot(t, &snapshot), D1T_OK);
  CHECK(pieces == 4, "%d pieces", pieces);
  CHECK(snapshot && whole.data && strcmp(snapshot, whole.data) == 0, "pieces differ from the snapshot");
  d1t_tracker *back = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, &back), D1T_OK);
  CHECK_RC(d1t_tracker_restore(back, (const uint8_t *)whole.data, whole.len), D1T_OK);
  d1t_tracker_free(back);
  d1t_string_free(snapshot);

  char *page = NULL;
  CHECK_RC(d1t_tracker_cards_page(t, BYTES("card-22"), 10, &page), D1T_OK);
  CHECK(page && strstr(page, "\"cardId\":\"card-23\"") && strstr(page, "\"cardId\":\"card-24\"") &&
            !strstr(page, "\"cardId\":\"card-22\""),
        "%s", page ? page : "");
  d1t_string_free(page);

  char *row = NULL;
  CHECK_RC(d1t_tracker_evict(t, BYTES("card-03"), &row), D1T_OK);
  CHECK(row && strstr(row, "card-03"), "%s", row ? row : "");
  d1t_string_free(row);
  row = NULL;
  CHECK_RC(d1t_tracker_evict(t, BYTES("card-03"), &row), D1T_ERR_NOT_FOUND);
  CHECK(row == NULL, "no output on error");
  CHECK_RC(d1t_tracker_clear(t), D1T_OK);
  CHECK_RC(d1t_tracker_state_bytes(t, &bytes), D1T_OK);
  CHECK(bytes == 0, "%zu", bytes);
  CHECK_RC(d1t_tracker_clear(NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_state_bytes(t, NULL), D1T_ERR_NULL_ARGUMENT);
  d1t_tracker_free(t);

  /* maxStateBytes: refused with retry true, state unchanged. */
  t = NULL;
  CHECK_RC(d1t_tracker_new(BYTES("{\"maxStateBytes\":1000}"), &t), D1T_OK);
  int refused = 0;
  for (int i = 0; i < 20 && !refused; i++) {
    snprintf(card, sizeof card, "card-%02d", i);
    body_of(&body, card, "PENDING");
    char *report = NULL, *before = NULL, *after = NULL;
    CHECK_RC(d1t_tracker_snapshot(t, &before), D1T_OK);
    CHECK_RC(d1t_tracker_apply(t, (const uint8_t *)body.data, body.len, 0, &report), D1T_OK);
    refused = report && strstr(report, "\"code\":\"LIMIT_EXCEEDED\"") && strstr(report, "\"retry\":true");
    if (refused) {
      CHECK_RC(d1t_tracker_snapshot(t, &after), D1T_OK);
      CHECK(before && after && strcmp(before, after) == 0, "the refused notification changed the state");
    }
    d1t_string_free(report);
    d1t_string_free(before);
    d1t_string_free(after);
  }
  CHECK(refused, "the state bound is reached");
  CHECK_RC(d1t_tracker_state_bytes(t, &bytes), D1T_OK);
  CHECK(bytes <= 1000, "%zu", bytes);
  d1t_tracker_free(t);
  sb_free(&body);
  sb_free(&whole);
}

void run_rows_tests(void) {
  test_fold_rows();
  test_evict_pieces_pages_bound();
}
