/*
 * spool_sqlite: folds D1 notification bodies from a spool directory (one body
 * per file, as a front end that only writes received webhooks to disk leaves
 * them) into a SQLite database, one row per card: the host path of the C
 * library (README, "The host path").
 *
 *   spool_sqlite --schema FILE DB SPOOL_DIR   fold every file, oldest name first
 *   spool_sqlite --phases DB                  print "card-id PHASE" per card
 *   spool_sqlite --check DB                   check each card's outbox is 1..n
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
 * The schema is the reference receiver's
 * (bindings-wasm/receiver/migrations/001_initial.sql), so the two can
 * share a database file. SQLite reads the library's JSON (json_each and the
 * -> and ->> operators, SQLite 3.38 or later): no JSON parser in C.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
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

/* The rows of the body's cards ($1: their ids as a JSON array), as
 * d1t_tracker_fold_rows reads them; a card without a row gets null. */
static const char *SQL_ROWS =
    "SELECT json_group_array(json_object('cardId', ids.value, 'row', cards.state))"
    " FROM json_each(?1) AS ids LEFT JOIN cards ON cards.card_id = ids.value";

/* Whether any operation was refused for capacity ($1: the fold's JSON). */
static const char *SQL_RETRY =
    "SELECT count(*) FROM json_each(?1, '$.report.operations') AS op"
    " WHERE op.value ->> '$.outcome' = 'rejected' AND op.value ->> '$.retry'";

/* One outbox row per change, numbered on from the card's last sequence
 * (read before the card's row is updated below). */
static const char *SQL_OUTBOX =
    "INSERT INTO outbox (card_id, seq, tracking_type, field, old, new, created_ms)"
    " SELECT c.value ->> '$.cardId',"
    "   coalesce((SELECT outbox_seq FROM cards WHERE card_id = c.value ->> '$.cardId'), 0) + ch.key + 1,"
    "   ch.value ->> '$.trackingType', ch.value ->> '$.field', ch.value -> '$.old', ch.value -> '$.new', ?2"
    " FROM json_each(?1, '$.cards') AS c, json_each(c.value, '$.changes') AS ch";

static const char *SQL_CARDS =
    "INSERT INTO cards (card_id, state, view, phase, outbox_seq, updated_ms)"
    " SELECT c.value ->> '$.cardId', c.value ->> '$.row', c.value -> '$.view', c.value ->> '$.view.phase',"
    "   coalesce((SELECT outbox_seq FROM cards WHERE card_id = c.value ->> '$.cardId'), 0)"
    "     + json_array_length(c.value, '$.changes'), ?2"
    " FROM json_each(?1, '$.cards') AS c WHERE true"
    " ON CONFLICT (card_id) DO UPDATE SET state = excluded.state, view = excluded.view,"
    "   phase = excluded.phase, outbox_seq = excluded.outbox_seq, updated_ms = excluded.updated_ms";

static const char *SQL_DEAD_OPERATIONS =
    "INSERT INTO dead_letters (received_ms, scope, card_id, operation_id, code, path, message, raw)"
    " SELECT ?2, 'operation', op.value ->> '$.cardId', op.value ->> '$.operationId',"
    "   op.value ->> '$.error.code', op.value ->> '$.error.path', op.value ->> '$.error.message',"
    "   coalesce(op.value ->> '$.raw', '')"
    " FROM json_each(?1, '$.report.operations') AS op WHERE op.value ->> '$.outcome' = 'rejected'";

/* A body rejected whole ($1: the error's JSON, $3: the body's text). */
static const char *SQL_DEAD_BODY =
    "INSERT INTO dead_letters (received_ms, scope, code, path, message, raw)"
    " SELECT ?2, 'body', ?1 ->> '$.code', ?1 ->> '$.path', ?1 ->> '$.message', ?3";

typedef struct {
  sqlite3 *db;
  d1t_tracker *tracker;
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

/* Runs `sql` with text parameters ?1 and ?3 (either may be NULL) and the
 * integer ?2; when `result` is not NULL, copies the first column of the
 * first row into it (malloc'd). Returns 0, or 2 after printing the error. */
static int run(sqlite3 *db, const char *sql, const char *p1, int64_t p2, const char *p3, char **result) {
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) return sql_error(db, "prepare");
  if (p1 != NULL) sqlite3_bind_text(stmt, 1, p1, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count(stmt) >= 2) sqlite3_bind_int64(stmt, 2, p2);
  if (p3 != NULL) sqlite3_bind_text(stmt, 3, p3, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW && result != NULL) {
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    *result = strdup(text != NULL ? (const char *)text : "");
  }
  int status = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : sql_error(db, "step");
  sqlite3_finalize(stmt);
  return status;
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

/* The schema's text for SQLite: its file with every "{{identity}}" (the
 * word SQLite and PostgreSQL spell differently) spelled SQLite's way. */
static char *sqlite_schema(const char *path) {
  static const char placeholder[] = "{{identity}}";
  static const char identity[] = "INTEGER PRIMARY KEY AUTOINCREMENT";
  size_t len = 0;
  unsigned char *file = read_file(path, &len);
  if (file == NULL) return NULL;
  /* Each replacement grows the text by less than the identity's length. */
  size_t count = 0;
  for (size_t i = 0; i + sizeof placeholder - 1 <= len; i++) {
    if (memcmp(file + i, placeholder, sizeof placeholder - 1) == 0) count++;
  }
  char *text = malloc(len + count * sizeof identity + 1);
  size_t out = 0;
  for (size_t i = 0; text != NULL && i < len;) {
    if (i + sizeof placeholder - 1 <= len && memcmp(file + i, placeholder, sizeof placeholder - 1) == 0) {
      memcpy(text + out, identity, sizeof identity - 1);
      out += sizeof identity - 1;
      i += sizeof placeholder - 1;
    } else {
      text[out++] = (char)file[i++];
    }
  }
  if (text != NULL) text[out] = '\0';
  free(file);
  return text;
}

/* Applies the schema once, recorded as the receiver records it. */
static int migrate(sqlite3 *db, const char *schema_path) {
  char *text = sqlite_schema(schema_path);
  if (text == NULL) {
    perror(schema_path);
    return 2;
  }
  char *applied = NULL;
  int status = exec(db, "BEGIN IMMEDIATE");
  if (status == 0) {
    status = exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                      " name TEXT NOT NULL, applied_ms BIGINT NOT NULL)");
  }
  if (status == 0) status = run(db, "SELECT count(*) FROM schema_migrations WHERE version = 1", NULL, 0, NULL, &applied);
  if (status == 0 && strcmp(applied, "0") == 0) {
    status = exec(db, text);
    if (status == 0) {
      status = run(db, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (1, '001_initial.sql', ?2)",
                   NULL, now_ms(), NULL, NULL);
    }
  }
  int ended = exec(db, status == 0 ? "COMMIT" : "ROLLBACK");
  if (status == 0) status = ended;
  free(applied);
  free(text);
  return status;
}

/* Folds one body file. 0 when it may be removed; EXIT_TEMPFAIL to stop and
 * keep it; 2 on an error. */
static int fold_file(spool *s, const char *path) {
  size_t len = 0;
  unsigned char *body = read_file(path, &len);
  if (body == NULL) {
    perror(path);
    return 2;
  }
  int64_t received = now_ms();
  char *ids = NULL, *rows = NULL, *folded = NULL, *refused = NULL;
  int status = exec(s->db, "BEGIN IMMEDIATE");
  d1t_result rc = status == 0 ? d1t_tracker_cards_of_body(s->tracker, body, len, &ids) : D1T_OK;
  if (status == 0 && rc != D1T_OK) {
    /* Rejected whole: its text is the dead letter (invalid UTF-8 is kept as
     * SQLite keeps any bytes bound as text). */
    char *error = NULL, *text = malloc(len + 1);
    if (text != NULL && d1t_last_error_json(&error) == D1T_OK) {
      memcpy(text, body, len);
      text[len] = '\0';
      status = run(s->db, SQL_DEAD_BODY, error, received, text, NULL);
      fprintf(stderr, "%s: rejected whole: %s\n", path, error);
      s->rejected_whole++;
    } else {
      status = 2;
    }
    d1t_string_free(error);
    free(text);
  } else if (status == 0) {
    status = run(s->db, SQL_ROWS, ids, 0, NULL, &rows);
    if (status == 0) {
      rc = d1t_tracker_fold_rows(s->tracker, body, len, (const uint8_t *)rows, strlen(rows), &folded);
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
    if (status == 0) status = run(s->db, SQL_OUTBOX, folded, received, NULL, NULL);
    if (status == 0) status = run(s->db, SQL_CARDS, folded, received, NULL, NULL);
    if (status == 0) status = run(s->db, SQL_DEAD_OPERATIONS, folded, received, NULL, NULL);
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
      if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        status = fold_file(s, path);
        /* Committed: only now may the file go. */
        if (status == 0 && unlink(path) != 0) {
          perror(path);
          status = 2;
        }
        s->files++;
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
          "usage: %s --schema FILE DB SPOOL_DIR\n"
          "       %s --phases DB\n"
          "       %s --check DB\n",
          program, program, program);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3) return usage(argv[0]);
  const char *mode = argv[1];
  int folding = strcmp(mode, "--schema") == 0;
  if (folding ? argc != 5 : argc != 3) return usage(argv[0]);
  if (!folding && strcmp(mode, "--phases") != 0 && strcmp(mode, "--check") != 0) return usage(argv[0]);

  spool s = {0};
  const char *db_path = folding ? argv[3] : argv[2];
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
                        " LEFT JOIN outbox o USING (card_id) GROUP BY card_id"
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
    if (status == 0 && d1t_tracker_new(NULL, 0, &s.tracker) != D1T_OK) status = 2;
    if (status == 0) status = fold_spool(&s, argv[4]);
    fprintf(stderr, "spool_sqlite: %ld files, %ld folded, %ld rejected whole\n", s.files, s.folded,
            s.rejected_whole);
    d1t_tracker_free(s.tracker);
  }
  sqlite3_close(s.db);
  return status;
}
