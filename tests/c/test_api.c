/* Every function of d1_tracking.h, on success and on misuse: NULLs, bad
 * arguments, outputs left untouched on error, and a long apply loop that must
 * end with no leak (ASan and valgrind check that). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "d1_tracking.h"
#include "harness.h"

static const char *SHIPMENT =
    "{\"operations\":[{\"operationId\":\"op-1\",\"operation\":\"STANDALONE_TRACKING\","
    "\"status\":\"SUCCESSFUL\",\"startTime\":\"2026-03-02T09:00:00.000Z\",\"endTime\":\"2026-03-04T16:12:09.000Z\","
    "\"cardId\":\"card-0001\",\"details\":{\"trackingType\":\"SHIPMENT\",\"status\":\"CARD_SHIPPED\","
    "\"shipment\":{\"carrier\":\"ups\",\"trackingNumber\":\"1Z999AA10123456784\",\"status\":\"InTransit\"}}}]}";

static const char *PRODUCTION =
    "{\"operations\":[{\"operationId\":\"op-0\",\"operation\":\"STANDALONE_TRACKING\","
    "\"status\":\"SUCCESSFUL\",\"startTime\":\"2026-03-01T08:00:00Z\",\"cardId\":\"card-0001\","
    "\"details\":{\"trackingType\":\"PRODUCTION\",\"status\":\"CARD_SHIPPED\"}}]}";

static void test_version_and_results(void) {
  char expected[64];
  snprintf(expected, sizeof expected, "%d.%d.%d", D1T_VERSION_MAJOR, D1T_VERSION_MINOR, D1T_VERSION_PATCH);
  CHECK(strcmp(d1t_version(), expected) == 0, "d1t_version() %s, macros %s", d1t_version(), expected);
  CHECK(strcmp(d1t_version(), D1T_VERSION_STRING) == 0, "D1T_VERSION_STRING %s", D1T_VERSION_STRING);
  CHECK(strcmp(d1t_result_name(D1T_OK), "D1T_OK") == 0, "%s", d1t_result_name(D1T_OK));
  CHECK(strcmp(d1t_result_name(D1T_ERR_FIELD_MISSING), "FIELD_MISSING") == 0, "name");
  CHECK(strcmp(d1t_result_name(D1T_ERR_SNAPSHOT_INVALID), "SNAPSHOT_INVALID") == 0, "name");
  CHECK(strcmp(d1t_result_name(D1T_ERR_NULL_ARGUMENT), "NULL_ARGUMENT") == 0, "name");
  CHECK(strcmp(d1t_result_name(12345), "UNKNOWN") == 0, "unknown code");
  CHECK(strlen(d1t_result_message(D1T_ERR_LIMIT_EXCEEDED)) > 0, "message");
  CHECK(strlen(d1t_result_message(777)) > 0, "message of an unknown code");
  CHECK(strcmp(d1t_phase_name(D1T_PHASE_IN_TRANSIT), "IN_TRANSIT") == 0, "phase name");
  CHECK(strcmp(d1t_phase_name(999), "UNKNOWN") == 0, "phase name of an unknown number");
}

static void test_last_error(void) {
  char *s = NULL;
  /* Nothing failed on this thread yet. */
  CHECK_RC(d1t_last_error_json(&s), D1T_ERR_NOT_FOUND);
  CHECK_RC(d1t_last_error_message(&s), D1T_ERR_NOT_FOUND);
  CHECK_RC(d1t_last_error_path(&s), D1T_ERR_NOT_FOUND);
  CHECK(s == NULL, "output written on error");
  CHECK_RC(d1t_last_error_json(NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_last_error_message(NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_last_error_path(NULL), D1T_ERR_NULL_ARGUMENT);
}

static void test_tracker_lifecycle(void) {
  d1t_tracker *t = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_new(NULL, 5, &t), D1T_ERR_NULL_ARGUMENT);
  CHECK(t == NULL, "output written on error");
  CHECK_RC(d1t_tracker_new(BYTES("{\"maxCards\":0}"), &t), D1T_ERR_FIELD_INVALID_FORMAT);
  CHECK(t == NULL, "output written on error");
  char *s = NULL;
  CHECK_RC(d1t_last_error_path(&s), D1T_OK);
  CHECK(s && strcmp(s, "maxCards") == 0, "path %s", s ? s : "");
  d1t_string_free(s);
  s = NULL;
  CHECK_RC(d1t_last_error_message(&s), D1T_OK);
  CHECK(s && strstr(s, "at least 1"), "message %s", s ? s : "");
  d1t_string_free(s);
  s = NULL;
  CHECK_RC(d1t_last_error_json(&s), D1T_OK);
  CHECK(s && strcmp(s, "{\"code\":\"FIELD_INVALID_FORMAT\",\"message\":\"expected a whole number of at least 1\",\"path\":\"maxCards\"}") == 0,
        "%s", s ? s : "");
  d1t_string_free(s);
  CHECK_RC(d1t_tracker_new(BYTES("{\"maxCards\":10}"), &t), D1T_OK);
  CHECK(t != NULL, "a handle");
  d1t_tracker_free(t);
  d1t_tracker_free(NULL);
  d1t_string_free(NULL);
}

static void test_fold_and_read(void) {
  d1t_tracker *t = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, &t), D1T_OK);
  char *report = NULL;
  CHECK_RC(d1t_tracker_apply(NULL, BYTES(SHIPMENT), 1, &report), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_apply(t, NULL, 10, 1, &report), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_apply(t, NULL, 0, 1, &report), D1T_ERR_PARSING);
  CHECK(report == NULL, "output written on error");
  CHECK_RC(d1t_tracker_apply(t, BYTES(SHIPMENT), 1772442000000ULL, &report), D1T_OK);
  CHECK(report && strstr(report, "\"outcome\":\"applied\""), "%s", report ? report : "");
  d1t_string_free(report);
  CHECK_RC(d1t_tracker_apply(t, BYTES(PRODUCTION), 2, NULL), D1T_OK); /* report not wanted */
  report = NULL;
  CHECK_RC(d1t_tracker_apply(t, BYTES(SHIPMENT), 3, &report), D1T_OK);
  CHECK(report && strstr(report, "\"outcome\":\"duplicate\""), "%s", report ? report : "");
  d1t_string_free(report);

  size_t count = 0;
  CHECK_RC(d1t_tracker_card_count(t, &count), D1T_OK);
  CHECK(count == 1, "%zu cards", count);
  CHECK_RC(d1t_tracker_card_count(t, NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_card_count(NULL, &count), D1T_ERR_NULL_ARGUMENT);

  char *json = NULL;
  CHECK_RC(d1t_tracker_card_json(t, BYTES("card-0001"), &json), D1T_OK);
  static const char card_start[] = "{\"alerts\":[],\"cardId\":\"card-0001\",\"phase\":\"IN_TRANSIT\"";
  CHECK(json && strncmp(json, card_start, sizeof card_start - 1) == 0, "%s", json ? json : "");
  d1t_string_free(json);
  json = NULL;
  CHECK_RC(d1t_tracker_card_json(t, BYTES("card-9999"), &json), D1T_ERR_NOT_FOUND);
  CHECK_RC(d1t_tracker_card_json(t, (const uint8_t *)"\xff", 1, &json), D1T_ERR_INVALID_ARGUMENT);
  CHECK_RC(d1t_tracker_card_json(t, BYTES("card-0001"), NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK(json == NULL, "output written on error");
  CHECK_RC(d1t_tracker_cards_json(t, &json), D1T_OK);
  CHECK(json && json[0] == '[', "%s", json ? json : "");
  d1t_string_free(json);
  json = NULL;
  CHECK_RC(d1t_tracker_cards_json(t, NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_operations_json(t, BYTES("card-0001"), &json), D1T_OK);
  CHECK(json && strstr(json, "\"current\":true"), "%s", json ? json : "");
  d1t_string_free(json);
  json = NULL;
  CHECK_RC(d1t_tracker_operations_json(t, BYTES("nope"), &json), D1T_ERR_NOT_FOUND);

  /* Typed accessors. */
  uint32_t n = 12345;
  CHECK_RC(d1t_tracker_card_phase(t, BYTES("card-0001"), &n), D1T_OK);
  CHECK(n == D1T_PHASE_IN_TRANSIT, "phase %u", n);
  CHECK_RC(d1t_tracker_card_phase(t, BYTES("card-0001"), NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_tracking_status(t, BYTES("card-0001"), D1T_TRACKING_SHIPMENT, &n), D1T_OK);
  CHECK(n == D1T_STATUS_SUCCESSFUL, "status %u", n);
  n = 12345;
  CHECK_RC(d1t_tracker_tracking_status(t, BYTES("card-0001"), D1T_TRACKING_RETURN, &n), D1T_ERR_NOT_FOUND);
  CHECK_RC(d1t_tracker_tracking_status(t, BYTES("card-0001"), 7, &n), D1T_ERR_INVALID_ARGUMENT);
  CHECK(n == 12345, "output written on error");
  CHECK_RC(d1t_tracker_shipment_phase(t, BYTES("card-0001"), D1T_TRACKING_SHIPMENT, &n), D1T_OK);
  CHECK(n == D1T_SHIPMENT_IN_TRANSIT, "shipment phase %u", n);
  CHECK_RC(d1t_tracker_shipment_phase(t, BYTES("card-0001"), D1T_TRACKING_PRODUCTION, &n), D1T_ERR_NOT_FOUND);
  char *s = NULL;
  CHECK_RC(d1t_tracker_business_status(t, BYTES("card-0001"), D1T_TRACKING_PRODUCTION, &s), D1T_OK);
  CHECK(s && strcmp(s, "CARD_SHIPPED") == 0, "%s", s ? s : "");
  d1t_string_free(s);
  s = NULL;
  CHECK_RC(d1t_tracker_carrier(t, BYTES("card-0001"), D1T_TRACKING_SHIPMENT, &s), D1T_OK);
  CHECK(s && strcmp(s, "ups") == 0, "%s", s ? s : "");
  d1t_string_free(s);
  s = NULL;
  CHECK_RC(d1t_tracker_tracking_number(t, BYTES("card-0001"), D1T_TRACKING_SHIPMENT, &s), D1T_OK);
  CHECK(s && strcmp(s, "1Z999AA10123456784") == 0, "%s", s ? s : "");
  d1t_string_free(s);
  s = NULL;
  CHECK_RC(d1t_tracker_carrier(t, BYTES("card-0001"), D1T_TRACKING_PRODUCTION, &s), D1T_ERR_NOT_FOUND);
  CHECK_RC(d1t_tracker_tracking_number(NULL, BYTES("card-0001"), D1T_TRACKING_SHIPMENT, &s), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_business_status(t, BYTES("card-0001"), D1T_TRACKING_SHIPMENT, NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK(s == NULL, "output written on error");
  uint32_t tracking = 0;
  CHECK_RC(d1t_tracking_type_parse(BYTES("RETURN"), &tracking), D1T_OK);
  CHECK(tracking == D1T_TRACKING_RETURN, "%u", tracking);
  CHECK_RC(d1t_tracking_type_parse(BYTES("return"), &tracking), D1T_ERR_FIELD_INVALID_VALUE);
  CHECK_RC(d1t_tracking_type_parse(BYTES("RETURN"), NULL), D1T_ERR_NULL_ARGUMENT);

  /* Requests and reconciliation. */
  char *changes = NULL;
  CHECK_RC(d1t_tracker_record_request(t, BYTES("card-0002"), D1T_TRACKING_PRODUCTION, 1000, &changes), D1T_OK);
  CHECK(changes && strcmp(changes, "[{\"field\":\"phase\",\"new\":\"TRACKING_REQUESTED\",\"old\":null,\"trackingType\":null}]") == 0,
        "%s", changes ? changes : "");
  d1t_string_free(changes);
  changes = NULL;
  CHECK_RC(d1t_tracker_record_request(t, BYTES("card-0002"), D1T_TRACKING_PRODUCTION, 500, &changes), D1T_OK);
  CHECK(changes && strcmp(changes, "[]") == 0, "%s", changes ? changes : "");
  d1t_string_free(changes);
  changes = NULL;
  CHECK_RC(d1t_tracker_record_request(t, BYTES("card 2"), D1T_TRACKING_PRODUCTION, 1000, &changes), D1T_ERR_FIELD_INVALID_FORMAT);
  CHECK(changes == NULL, "output written on error");
  CHECK_RC(d1t_tracker_record_request(t, BYTES("card-0002"), 0, 1000, NULL), D1T_ERR_INVALID_ARGUMENT);
  CHECK_RC(d1t_tracker_card_phase(t, BYTES("card-0002"), &n), D1T_OK);
  CHECK(n == D1T_PHASE_TRACKING_REQUESTED, "phase %u", n);
  CHECK_RC(d1t_tracker_due_json(t, 1000 + 7200001, 7200000, &json), D1T_OK);
  CHECK(json && strstr(json, "\"reason\":\"AWAITING_NOTIFICATION\""), "%s", json ? json : "");
  d1t_string_free(json);
  json = NULL;
  CHECK_RC(d1t_tracker_due_json(t, 0, 0, NULL), D1T_ERR_NULL_ARGUMENT);

  /* Persistence and merge. */
  char *snapshot = NULL, *row = NULL;
  CHECK_RC(d1t_tracker_snapshot(t, &snapshot), D1T_OK);
  CHECK_RC(d1t_tracker_snapshot(t, NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_export_card(t, BYTES("card-0001"), &row), D1T_OK);
  CHECK_RC(d1t_tracker_export_card(t, BYTES("card-7"), &json), D1T_ERR_NOT_FOUND);
  d1t_tracker *copy = NULL, *other = NULL;
  CHECK_RC(d1t_tracker_new(NULL, 0, &copy), D1T_OK);
  CHECK_RC(d1t_tracker_restore(copy, (const uint8_t *)snapshot, strlen(snapshot)), D1T_OK);
  char *again = NULL;
  CHECK_RC(d1t_tracker_snapshot(copy, &again), D1T_OK);
  CHECK(again && strcmp(again, snapshot) == 0, "restore round trip");
  d1t_string_free(again);
  CHECK_RC(d1t_tracker_restore(copy, BYTES("{\"format\":\"d1-tracking/9\",\"cards\":[]}")), D1T_ERR_SNAPSHOT_INVALID);
  CHECK_RC(d1t_tracker_restore(NULL, BYTES("{}")), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_new(NULL, 0, &other), D1T_OK);
  CHECK_RC(d1t_tracker_import_card(other, (const uint8_t *)row, strlen(row)), D1T_OK);
  CHECK_RC(d1t_tracker_import_card(other, BYTES("garbage")), D1T_ERR_SNAPSHOT_INVALID);
  CHECK_RC(d1t_tracker_merge(other, copy), D1T_OK);
  CHECK_RC(d1t_tracker_merge(other, other), D1T_OK); /* itself: no change */
  CHECK_RC(d1t_tracker_merge(other, NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_merge(NULL, copy), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_tracker_snapshot(other, &again), D1T_OK);
  CHECK(again && strcmp(again, snapshot) == 0, "merge of the parts is the whole");
  d1t_string_free(again);
  d1t_string_free(snapshot);
  d1t_string_free(row);
  d1t_tracker_free(copy);
  d1t_tracker_free(other);

  /* Track Card calls. */
  char *call = NULL;
  CHECK_RC(d1t_build_track_card_request(BYTES("{\"issuerId\":\"ISSUER0001\",\"cardId\":\"card-0001\",\"trackingType\":\"SHIPMENT\"}"), &call), D1T_OK);
  CHECK(call && strcmp(call, "{\"body\":\"{\\\"trackingType\\\":\\\"SHIPMENT\\\"}\",\"headers\":[[\"content-type\",\"application/json\"],[\"accept\",\"application/json\"]],\"method\":\"POST\",\"path\":\"/issuers/ISSUER0001/physicalCards/card-0001/operations:tracking\"}") == 0,
        "%s", call ? call : "");
  d1t_string_free(call);
  call = NULL;
  CHECK_RC(d1t_build_track_card_request(BYTES("{\"issuerId\":\"SHORT\",\"cardId\":\"c\",\"trackingType\":\"SHIPMENT\"}"), &call), D1T_ERR_FIELD_INVALID_FORMAT);
  CHECK_RC(d1t_build_track_card_request(NULL, 3, &call), D1T_ERR_NULL_ARGUMENT);
  CHECK_RC(d1t_build_track_card_request(BYTES("{}"), NULL), D1T_ERR_NULL_ARGUMENT);
  CHECK(call == NULL, "output written on error");

  /* The on-demand status query. */
  CHECK_RC(d1t_build_status_query(BYTES("{\"issuerId\":\"ISSUER0001\",\"cardId\":\"card-0001\"}"), &call), D1T_OK);
  CHECK(call && strcmp(call, "{\"body\":\"\",\"headers\":[[\"accept\",\"application/json\"]],\"method\":\"GET\",\"path\":\"/issuers/ISSUER0001/physicalCards/card-0001/productionStatus\"}") == 0,
        "%s", call ? call : "");
  d1t_string_free(call);
  call = NULL;
  CHECK_RC(d1t_build_status_query(BYTES("{\"issuerId\":\"ISSUER0001\"}"), &call), D1T_ERR_FIELD_MISSING);
  CHECK_RC(d1t_build_status_query(NULL, 3, &call), D1T_ERR_NULL_ARGUMENT);
  CHECK(call == NULL, "output written on error");
  d1t_tracker_free(t);
}

/* 100,000 applies (new, duplicate, rejected whole, rejected operation),
 * reports freed: ASan and valgrind must find no leak at the end. */
static void test_apply_loop(void) {
  d1t_tracker *t = NULL;
  CHECK_RC(d1t_tracker_new(BYTES("{\"maxCards\":1000}"), &t), D1T_OK);
  char body[512];
  int ok = 0;
  for (int i = 0; i < 100000; i++) {
    char *report = NULL;
    switch (i % 4) {
      case 0: /* a new update for one of 500 cards */
        snprintf(body, sizeof body,
                 "{\"operations\":[{\"operationId\":\"op-%d\",\"operation\":\"STANDALONE_TRACKING\",\"status\":\"SUCCESSFUL\","
                 "\"startTime\":\"2026-03-02T09:00:00Z\",\"endTime\":\"2026-03-%02dT10:%02d:00Z\",\"cardId\":\"card-%d\","
                 "\"details\":{\"trackingType\":\"SHIPMENT\",\"shipment\":{\"status\":\"InTransit\"}}}]}",
                 (i / 4) % 500, 3 + (i / 2000) % 20, (i / 4) % 60, (i / 4) % 500);
        break;
      case 1: /* the same again: a duplicate */
        break;
      case 2:
        snprintf(body, sizeof body, "{\"operations\":[");
        break;
      default:
        snprintf(body, sizeof body, "{\"operations\":[{\"cardId\":\"card-%d\"}]}", (i / 4) % 500);
    }
    d1t_result rc = d1t_tracker_apply(t, (const uint8_t *)body, strlen(body), (uint64_t)i, &report);
    if ((i % 4 == 2) ? rc == D1T_ERR_PARSING : rc == D1T_OK) ok++;
    d1t_string_free(report);
  }
  CHECK(ok == 100000, "%d of 100000 applies as expected", ok);
  size_t count = 0;
  CHECK_RC(d1t_tracker_card_count(t, &count), D1T_OK);
  CHECK(count == 500, "%zu cards", count);
  d1t_tracker_free(t);
}

void run_api_tests(void) {
  test_last_error(); /* first: nothing failed on this thread yet */
  test_version_and_results();
  test_tracker_lifecycle();
  test_fold_and_read();
  test_apply_loop();
}
