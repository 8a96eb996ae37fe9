/*
 * spool_sqlite: folds D1 notification bodies from a spool directory (one body
 * per file, as a front end that only writes received webhooks to disk leaves
 * them) into a SQLite database, one row per card: the host path of the C
 * library (README, "The host path").
 *
 *   spool_sqlite --migrations DIR --issuer ID DB SPOOL_DIR
 *                                   fold every file (bodies D1 sent for
 *                                   issuer ID), oldest name first
 *   spool_sqlite --phases DB        print "card-id PHASE" per card
 *   spool_sqlite --check DB         check each card's outbox is 1..n
 *
 * For each file, in one transaction (BEGIN IMMEDIATE; synchronous = FULL):
 * load the rows of the body's cards, fold the body against them, write the
 * changed rows, one outbox row per change (numbered on per card) and one
 * dead-letter row per rejected operation (its raw text); commit; only then
 * remove the file. Killed at any point, a run leaves every file either
 * folded and removed, folded and still there (folded again next run: a
 * duplicate, which changes nothing), or untouched. A body rejected whole is
 * a dead letter (the file's text) and is removed too. An operation refused
 * for capacity (retry) rolls the transaction back and stops the run with
 * exit status 75, the file kept for the next run.
 *
 * The schema is the reference receiver's: the numbered files of
 * bindings-wasm/receiver/migrations/ (DIR), applied in order and recorded
 * as the receiver records them, so the two can share a database file and
 * both follow the schema's upgrades (a schema newer than DIR is refused). SQLite reads the library's JSON (json_each and the
 * -> and ->> operators, SQLite 3.38 or later): no JSON parser in C.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "d1_tracking.h"
#include "example_io.h"

#define EXIT_TEMPFAIL 75

/* The largest body read whole, as the receiver's MAX_BODY_BYTES default: a
 * larger file is a dead letter of its first MAX_BODY_BYTES (as the receiver
 * keeps a body past its limit), never read into memory whole. */
#define MAX_BODY_BYTES (1024 * 1024)

/* The rows of the body's cards ($1: their ids as a JSON array), as
 * d1t_tracker_fold_rows reads them; a card without a row gets null. */
static const char *SQL_ROWS =
    "SELECT json_group_array(json_object('cardId', ids.value, 'row', cards.state))"
    " FROM json_each(?1) AS ids LEFT JOIN cards ON cards.issuer_id = ?3 AND cards.card_id = ids.value";

/* Whether any operation was refused for capacity ($1: the fold's JSON). */
static const char *SQL_RETRY =
    "SELECT count(*) FROM json_each(?1, '$.report.operations') AS op"
    " WHERE op.value ->> '$.outcome' = 'rejected' AND op.value ->> '$.retry'";

/* One outbox row per change, numbered on from the card's last sequence
 * (read before the card's row is updated below). */
static const char *SQL_OUTBOX =
    "INSERT INTO outbox (issuer_id, card_id, seq, tracking_type, field, old, new, created_ms)"
    " SELECT ?3, c.value ->> '$.cardId',"
    "   coalesce((SELECT outbox_seq FROM cards WHERE issuer_id = ?3 AND card_id = c.value ->> '$.cardId'), 0)"
    "     + ch.key + 1,"
    "   ch.value ->> '$.trackingType', ch.value ->> '$.field', ch.value -> '$.old', ch.value -> '$.new', ?2"
    " FROM json_each(?1, '$.cards') AS c, json_each(c.value, '$.changes') AS ch";

static const char *SQL_CARDS =
    "INSERT INTO cards (issuer_id, card_id, state, view, phase, outbox_seq, updated_ms)"
    " SELECT ?3, c.value ->> '$.cardId', c.value ->> '$.row', c.value -> '$.view', c.value ->> '$.view.phase',"
    "   coalesce((SELECT outbox_seq FROM cards WHERE issuer_id = ?3 AND card_id = c.value ->> '$.cardId'), 0)"
    "     + json_array_length(c.value, '$.changes'), ?2"
    " FROM json_each(?1, '$.cards') AS c WHERE true"
    " ON CONFLICT (issuer_id, card_id) DO UPDATE SET state = excluded.state, view = excluded.view,"
    "   phase = excluded.phase, outbox_seq = excluded.outbox_seq, updated_ms = excluded.updated_ms";

static const char *SQL_DEAD_OPERATIONS =
    "INSERT INTO dead_letters (received_ms, issuer_id, scope, card_id, operation_id, code, path, message, raw,"
    "   raw_bytes)"
    " SELECT ?2, ?3, 'operation', op.value ->> '$.cardId', op.value ->> '$.operationId',"
    "   op.value ->> '$.error.code', op.value ->> '$.error.path', op.value ->> '$.error.message',"
    "   coalesce(op.value ->> '$.raw', ''), CAST(coalesce(op.value ->> '$.raw', '') AS BLOB)"
    " FROM json_each(?1, '$.report.operations') AS op WHERE op.value ->> '$.outcome' = 'rejected'";

/* A body rejected whole ($1: the error's JSON, $4: its text, $5: its exact
 * bytes, as the receiver keeps them). */
static const char *SQL_DEAD_BODY =
    "INSERT INTO dead_letters (received_ms, issuer_id, scope, code, path, message, raw, raw_bytes)"
    " SELECT ?2, ?3, 'body', ?1 ->> '$.code', ?1 ->> '$.path', ?1 ->> '$.message', ?4, ?5";

typedef struct {
  sqlite3 *db;
  d1t_tracker *tracker;
  const char *issuer;
  long refused;
  long folded, rejected_whole, files;
} spool;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sql_error(sqlite3 *db, const char *what) {
  fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
  return 2;
}

/* Runs `sql` with text parameters ?1, ?3 and ?4 (any may be NULL) and the
 * integer ?2; when `result` is not NULL, copies the first column of the
 * first row into it (malloc'd). Returns 0, or 2 after printing the error. */
static int run4(sqlite3 *db, const char *sql, const char *p1, int64_t p2, const char *p3, const char *p4,
                char **result) {
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) return sql_error(db, "prepare");
  int bound = SQLITE_OK;
  if (p1 != NULL) bound = sqlite3_bind_text(stmt, 1, p1, -1, SQLITE_STATIC);
  if (bound == SQLITE_OK && sqlite3_bind_parameter_count(stmt) >= 2) bound = sqlite3_bind_int64(stmt, 2, p2);
  if (bound == SQLITE_OK && p3 != NULL) bound = sqlite3_bind_text(stmt, 3, p3, -1, SQLITE_STATIC);
  if (bound == SQLITE_OK && p4 != NULL) bound = sqlite3_bind_text(stmt, 4, p4, -1, SQLITE_STATIC);
  if (bound != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sql_error(db, "bind");
  }
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && result != NULL) {
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    *result = strdup(text != NULL ? (const char *)text : "");
  }
  int status = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : sql_error(db, "step");
  sqlite3_finalize(stmt);
  return status;
}

/* run4 without ?4. */
static int run(sqlite3 *db, const char *sql, const char *p1, int64_t p2, const char *p3, char **result) {
  return run4(db, sql, p1, p2, p3, NULL, result);
}

static int exec(sqlite3 *db, const char *sql) {
  char *message = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", sql, message);
    sqlite3_free(message);
    return 2;
  }
  return 0;
}

/* A migration file: its version (the number its name starts with) and name. */
typedef struct {
  long version;
  char *name;
} migration;

static int compare_migrations(const void *a, const void *b) {
  long x = ((const migration *)a)->version, y = ((const migration *)b)->version;
  return (x > y) - (x < y);
}

/* Whether `name` is a migration's: digits, '_', anything, ".sql". */
static int is_migration(const char *name) {
  size_t len = strlen(name), digits = strspn(name, "0123456789");
  return digits > 0 && name[digits] == '_' && len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

/* Appends `n` bytes to text/out (grown as needed); 0, or -1 out of memory. */
static int append(char **text, size_t *out, size_t *cap, const char *bytes, size_t n) {
  if (*out + n + 1 > *cap) {
    size_t bigger = (*out + n + 1) * 2;
    char *grown = realloc(*text, bigger);
    if (grown == NULL) return -1;
    *text = grown;
    *cap = bigger;
  }
  memcpy(*text + *out, bytes, n);
  *out += n;
  (*text)[*out] = '\0';
  return 0;
}

/* A migration's text for SQLite, as the receiver's migrations.mjs makes it:
 * the lines from "-- {{postgres}}" to "-- {{end}}" dropped, "{{identity}}"
 * and "{{bytes}}" spelled SQLite's way. NULL when it cannot be read. */
static char *sqlite_text(const char *path) {
  static const struct {
    const char *word, *sqlite;
  } words[] = {{"{{identity}}", "INTEGER PRIMARY KEY AUTOINCREMENT"}, {"{{bytes}}", "BLOB"}};
  size_t len = 0;
  unsigned char *file = read_file(path, &len);
  if (file == NULL) return NULL;
  char *text = NULL;
  size_t out = 0, cap = 0;
  int skipping = 0, failed = append(&text, &out, &cap, "", 0);
  for (size_t start = 0; !failed && start < len;) {
    const unsigned char *newline = memchr(file + start, '\n', len - start);
    size_t end = newline != NULL ? (size_t)(newline - file) + 1 : len;
    const char *line = (const char *)file + start;
    size_t n = end - start;
    if (n >= 15 && memcmp(line, "-- {{postgres}}", 15) == 0) {
      skipping = 1;
    } else if (skipping) {
      if (n >= 10 && memcmp(line, "-- {{end}}", 10) == 0) skipping = 0;
    } else {
      for (size_t i = 0; !failed && i < n;) {
        size_t w = 0;
        while (w < sizeof words / sizeof words[0] &&
               !(n - i >= strlen(words[w].word) && memcmp(line + i, words[w].word, strlen(words[w].word)) == 0)) {
          w++;
        }
        if (w < sizeof words / sizeof words[0]) {
          failed = append(&text, &out, &cap, words[w].sqlite, strlen(words[w].sqlite));
          i += strlen(words[w].word);
        } else {
          failed = append(&text, &out, &cap, line + i, 1);
          i++;
        }
      }
    }
    start = end;
  }
  free(file);
  if (failed) {
    free(text);
    return NULL;
  }
  return text;
}

/* The migration files of `dir`, by version; *count set. NULL on error. */
static migration *list_migrations(const char *dir, size_t *count) {
  DIR *d = opendir(dir);
  if (d == NULL) return NULL;
  size_t n = 0, cap = 16;
  migration *list = malloc(cap * sizeof *list);
  struct dirent *entry;
  while (list != NULL && (entry = readdir(d)) != NULL) {
    if (!is_migration(entry->d_name)) continue;
    if (n == cap) {
      migration *bigger = realloc(list, (cap *= 2) * sizeof *list);
      if (bigger == NULL) break;
      list = bigger;
    }
    list[n].version = strtol(entry->d_name, NULL, 10);
    list[n].name = strdup(entry->d_name);
    if (list[n].name == NULL) break;
    n++;
  }
  closedir(d);
  if (list != NULL) qsort(list, n, sizeof *list, compare_migrations);
  *count = n;
  return list;
}

/* Applies the migrations of `dir` not yet applied, in one transaction,
 * recorded in schema_migrations as the receiver records them, but with no
 * checksum: the receiver's next `npm run migrate` records it
 * (docs/decisions.md, "The C spool example follows the migrations"). A
 * database with a migration `dir` lacks (a newer schema) is refused. */
static int migrate(sqlite3 *db, const char *dir) {
  size_t count = 0;
  migration *list = list_migrations(dir, &count);
  if (list == NULL || count == 0) {
    fprintf(stderr, "%s: no migrations there\n", dir);
    free(list);
    return 2;
  }
  int status = exec(db, "BEGIN IMMEDIATE");
  if (status == 0) {
    status = exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                      " name TEXT NOT NULL, applied_ms BIGINT NOT NULL, checksum TEXT)");
  }
  char *newer = NULL;
  if (status == 0) {
    /* The applied versions this directory does not have, as "name, name". */
    char *known = NULL;
    size_t out = 0, cap = 0;
    int failed = append(&known, &out, &cap, "[", 1);
    for (size_t i = 0; !failed && i < count; i++) {
      char number[32];
      int n = snprintf(number, sizeof number, "%s%ld", i == 0 ? "" : ",", list[i].version);
      failed = append(&known, &out, &cap, number, (size_t)n);
    }
    if (!failed) failed = append(&known, &out, &cap, "]", 1);
    status = failed ? 2
                    : run(db,
                          "SELECT coalesce(group_concat(name, ', '), '') FROM schema_migrations"
                          " WHERE version NOT IN (SELECT value FROM json_each(?1))",
                          known, 0, NULL, &newer);
    free(known);
  }
  if (status == 0 && newer[0] != '\0') {
    fprintf(stderr, "the schema has %s, newer than %s holds: use the migrations of that version\n", newer, dir);
    status = 2;
  }
  for (size_t i = 0; status == 0 && i < count; i++) {
    char *applied = NULL;
    char version[32];
    snprintf(version, sizeof version, "%ld", list[i].version);
    status = run(db, "SELECT count(*) FROM schema_migrations WHERE version = CAST(?1 AS INTEGER)", version, 0, NULL,
                 &applied);
    if (status == 0 && strcmp(applied, "0") == 0) {
      char *path = malloc(strlen(dir) + strlen(list[i].name) + 2);
      char *text = NULL;
      if (path != NULL) {
        sprintf(path, "%s/%s", dir, list[i].name);
        text = sqlite_text(path);
      }
      if (text == NULL) {
        perror(path != NULL ? path : dir);
        status = 2;
      }
      if (status == 0) status = exec(db, text);
      if (status == 0) {
        status = run(db, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (CAST(?1 AS INTEGER), ?3, ?2)",
                     version, now_ms(), list[i].name, NULL);
      }
      free(text);
      free(path);
    }
    free(applied);
  }
  int ended = exec(db, status == 0 ? "COMMIT" : "ROLLBACK");
  if (status == 0) status = ended;
  for (size_t i = 0; i < count; i++) free(list[i].name);
  free(list);
  free(newer);
  return status;
}

/* Gives the rows migration 006 left without an issuer ('': a spool of an
 * earlier version wrote none) to this spool's issuer, unless it holds that
 * card id too (as the receiver does with its ISSUER_ID). */
static int adopt_unassigned(sqlite3 *db, const char *issuer) {
  int status = exec(db, "BEGIN IMMEDIATE");
  if (status == 0) {
    status = run(db,
                 "UPDATE outbox SET issuer_id = ?3 WHERE issuer_id = ''"
                 " AND card_id NOT IN (SELECT card_id FROM cards WHERE issuer_id = ?3)",
                 NULL, 0, issuer, NULL);
  }
  if (status == 0) {
    status = run(db,
                 "UPDATE cards SET issuer_id = ?3 WHERE issuer_id = ''"
                 " AND card_id NOT IN (SELECT card_id FROM cards WHERE issuer_id = ?3)",
                 NULL, 0, issuer, NULL);
  }
  int ended = exec(db, status == 0 ? "COMMIT" : "ROLLBACK");
  return status == 0 ? ended : status;
}

/* Whether `id` is an issuer id as D1's path has it: 10 of [A-Za-z0-9_-]. */
static int is_issuer_id(const char *id) {
  static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  return strlen(id) == 10 && strspn(id, allowed) == 10;
}

/* Reads at most `limit` bytes of the regular file `path` (a symbolic link is
 * not followed, and anything but a regular file is refused: *refused = 1).
 * *len is what was read; *whole is 0 when the file holds more. NULL on an
 * error (errno set) or a refusal. */
static unsigned char *read_bounded(const char *path, size_t limit, size_t *len, int *whole, int *refused) {
  *refused = 0;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) *refused = 1;
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *refused = 1;
    close(fd);
    return NULL;
  }
  unsigned char *data = malloc(limit + 1);
  size_t n = 0;
  while (data != NULL && n < limit + 1) {
    ssize_t got = read(fd, data + n, limit + 1 - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      free(data);
      data = NULL;
    } else if (got == 0) {
      break;
    } else {
      n += (size_t)got;
    }
  }
  close(fd);
  *whole = n <= limit;
  *len = n <= limit ? n : limit;
  return data;
}

/* Writes a dead letter of a whole body: `error` (the library's error JSON),
 * its bytes exactly (raw_bytes) and as text (raw: NUL as U+FFFD, as the
 * receiver keeps it, then `suffix`). 0, or 2 after printing the error. */
static int insert_body_letter(spool *s, const char *error, int64_t received, const unsigned char *bytes, size_t len,
                              const char *suffix) {
  size_t nuls = 0;
  for (size_t i = 0; i < len; i++) nuls += bytes[i] == 0;
  size_t text_len = len + 2 * nuls + strlen(suffix);
  char *text = malloc(text_len + 1);
  if (text == NULL) return 2;
  size_t out = 0;
  for (size_t i = 0; i < len; i++) {
    if (bytes[i] == 0) {
      memcpy(text + out, "\xEF\xBF\xBD", 3);
      out += 3;
    } else {
      text[out++] = (char)bytes[i];
    }
  }
  memcpy(text + out, suffix, strlen(suffix) + 1);
  sqlite3_stmt *stmt = NULL;
  int status = sqlite3_prepare_v2(s->db, SQL_DEAD_BODY, -1, &stmt, NULL) == SQLITE_OK ? 0 : sql_error(s->db, "prepare");
  if (status == 0 &&
      (sqlite3_bind_text(stmt, 1, error, -1, SQLITE_STATIC) != SQLITE_OK ||
       sqlite3_bind_int64(stmt, 2, received) != SQLITE_OK ||
       sqlite3_bind_text(stmt, 3, s->issuer, -1, SQLITE_STATIC) != SQLITE_OK ||
       sqlite3_bind_text64(stmt, 4, text, text_len, SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK ||
       sqlite3_bind_blob64(stmt, 5, bytes, len, SQLITE_STATIC) != SQLITE_OK)) {
    status = sql_error(s->db, "bind");
  }
  if (status == 0 && sqlite3_step(stmt) != SQLITE_DONE) status = sql_error(s->db, "step");
  sqlite3_finalize(stmt);
  free(text);
  return status;
}

/* Folds one body file. 0 when it may be removed; 1 when it is not a regular
 * file (left alone); EXIT_TEMPFAIL to stop and keep it; 2 on an error. */
static int fold_file(spool *s, const char *path) {
  size_t len = 0;
  int whole = 0, not_regular = 0;
  unsigned char *body = read_bounded(path, MAX_BODY_BYTES, &len, &whole, &not_regular);
  if (body == NULL) {
    if (not_regular) return 1;
    perror(path);
    return 2;
  }
  int64_t received = now_ms();
  char *ids = NULL, *rows = NULL, *folded = NULL, *refused = NULL;
  int status = exec(s->db, "BEGIN IMMEDIATE");
  if (status == 0 && !whole) {
    /* Past the limit: its first MAX_BODY_BYTES are the dead letter. */
    static const char error[] =
        "{\"code\":\"PAYLOAD_TOO_LARGE\",\"path\":null,\"message\":\"the file is larger than the spool reads "
        "(1048576 bytes): its first 1048576 bytes are kept\"}";
    status = insert_body_letter(s, error, received, body, len, "\xE2\x80\xA6[the rest was not read]");
    fprintf(stderr, "%s: larger than %d bytes: kept as a dead letter, not folded\n", path, MAX_BODY_BYTES);
    s->rejected_whole++;
  } else if (status == 0 && d1t_tracker_cards_of_body(s->tracker, body, len, &ids) != D1T_OK) {
    /* Rejected whole: its bytes are the dead letter. */
    char *error = NULL;
    if (d1t_last_error_json(&error) == D1T_OK) {
      status = insert_body_letter(s, error, received, body, len, "");
      fprintf(stderr, "%s: rejected whole: %s\n", path, error);
      s->rejected_whole++;
    } else {
      status = 2;
    }
    d1t_string_free(error);
  } else if (status == 0) {
    status = run(s->db, SQL_ROWS, ids, 0, s->issuer, &rows);
    if (status == 0) {
      d1t_result rc = d1t_tracker_fold_rows(s->tracker, body, len, (const uint8_t *)rows, strlen(rows), &folded);
      if (rc != D1T_OK) {
        print_error(path, rc);
        status = 2;
      }
    }
    if (status == 0) status = run(s->db, SQL_RETRY, folded, 0, NULL, &refused);
    if (status == 0 && strcmp(refused, "0") != 0) {
      fprintf(stderr, "%s: an operation was refused for capacity; kept for the next run\n", path);
      status = EXIT_TEMPFAIL;
    }
    /* The outbox first: it reads each card's sequence before the card's row moves it on. */
    if (status == 0) status = run(s->db, SQL_OUTBOX, folded, received, s->issuer, NULL);
    if (status == 0) status = run(s->db, SQL_CARDS, folded, received, s->issuer, NULL);
    if (status == 0) status = run(s->db, SQL_DEAD_OPERATIONS, folded, received, s->issuer, NULL);
    if (status == 0) s->folded++;
  }
  if (status == 0) {
    status = exec(s->db, "COMMIT");
  } else {
    exec(s->db, "ROLLBACK");
  }
  d1t_string_free(ids);
  d1t_string_free(folded);
  free(rows);
  free(refused);
  free(body);
  return status;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folds every regular file of `dir` whose name does not start with '.'
 * (a writer spools to ".name" and renames when complete), in name order. */
static int fold_spool(spool *s, const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    perror(dir);
    return 2;
  }
  size_t count = 0, cap = 64;
  char **names = malloc(cap * sizeof *names);
  struct dirent *entry;
  while (names != NULL && (entry = readdir(d)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    if (count == cap) {
      char **bigger = realloc(names, (cap *= 2) * sizeof *names);
      if (bigger == NULL) break;
      names = bigger;
    }
    names[count++] = strdup(entry->d_name);
  }
  closedir(d);
  if (names == NULL) return 2;
  qsort(names, count, sizeof *names, compare_names);
  int status = 0;
  for (size_t i = 0; i < count; i++) {
    if (status == 0) {
      char *path = malloc(strlen(dir) + strlen(names[i]) + 2);
      struct stat st;
      sprintf(path, "%s/%s", dir, names[i]);
      /* Not followed: a link, a directory or a FIFO in the spool is not a
       * body a front end wrote (a link to /etc/passwd must not become a dead
       * letter), so it is left where it is, with a message. */
      int refused = lstat(path, &st) != 0 || !S_ISREG(st.st_mode);
      if (!refused) {
        status = fold_file(s, path);
        refused = status == 1;
        if (refused) status = 0;
        /* Committed: only now may the file go. */
        if (status == 0 && !refused && unlink(path) != 0) {
          perror(path);
          status = 2;
        }
        s->files += !refused;
      }
      if (refused) {
        fprintf(stderr, "%s: not a regular file (a symbolic link, a directory, a FIFO...): left in the spool, not read\n",
                path);
        s->refused++;
      }
      free(path);
    }
    free(names[i]);
  }
  free(names);
  return status;
}

static int print_rows(sqlite3 *db, const char *sql) {
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) return sql_error(db, "prepare");
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    printf("%s %s\n", sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 1));
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? 0 : sql_error(db, "step");
}

static int usage(const char *program) {
  fprintf(stderr,
          "usage: %s --migrations DIR --issuer ID DB SPOOL_DIR\n"
          "       %s --phases DB\n"
          "       %s --check DB\n",
          program, program, program);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3) return usage(argv[0]);
  const char *mode = argv[1];
  int folding = strcmp(mode, "--migrations") == 0;
  if (folding ? argc != 7 || strcmp(argv[3], "--issuer") != 0 : argc != 3) return usage(argv[0]);
  if (folding && !is_issuer_id(argv[4])) {
    fprintf(stderr, "--issuer: expected D1's issuer id, exactly 10 of [A-Za-z0-9_-]\n");
    return 2;
  }
  if (!folding && strcmp(mode, "--phases") != 0 && strcmp(mode, "--check") != 0) return usage(argv[0]);

  spool s = {0};
  const char *db_path = folding ? argv[5] : argv[2];
  s.issuer = folding ? argv[4] : NULL;
  if (sqlite3_open(db_path, &s.db) != SQLITE_OK) {
    int status = sql_error(s.db, db_path);
    sqlite3_close(s.db);
    return status;
  }
  sqlite3_busy_timeout(s.db, 5000);
  int status = exec(s.db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");

  if (status == 0 && strcmp(mode, "--phases") == 0) {
    status = print_rows(s.db, "SELECT card_id, phase FROM cards WHERE state IS NOT NULL ORDER BY card_id");
  } else if (status == 0 && strcmp(mode, "--check") == 0) {
    /* Each card's outbox is 1..outbox_seq with no gap and no extra row. */
    status = print_rows(s.db,
                        "SELECT card_id, 'outbox ' || count(o.seq) || ' of ' || c.outbox_seq FROM cards c"
                        " LEFT JOIN outbox o USING (issuer_id, card_id) GROUP BY issuer_id, card_id"
                        " HAVING count(o.seq) != c.outbox_seq OR coalesce(max(o.seq), 0) != c.outbox_seq");
    char *counts = NULL;
    if (status == 0) {
      status = run(s.db,
                   "SELECT (SELECT count(*) FROM cards) || ' cards, ' || (SELECT count(*) FROM outbox)"
                   " || ' outbox rows, ' || (SELECT count(*) FROM dead_letters) || ' dead letters'",
                   NULL, 0, NULL, &counts);
    }
    if (status == 0) printf("%s\n", counts);
    free(counts);
  } else if (status == 0) {
    status = migrate(s.db, argv[2]);
    if (status == 0) status = adopt_unassigned(s.db, s.issuer);
    if (status == 0 && d1t_tracker_new(NULL, 0, &s.tracker) != D1T_OK) status = 2;
    if (status == 0) status = fold_spool(&s, argv[6]);
    fprintf(stderr, "spool_sqlite: %ld files, %ld folded, %ld rejected whole, %ld not regular files left\n", s.files,
            s.folded, s.rejected_whole, s.refused);
    d1t_tracker_free(s.tracker);
  }
  sqlite3_close(s.db);
  return status;
}
