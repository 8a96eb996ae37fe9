#!/usr/bin/env bash
# The spool example interrupted and run again: spool_sqlite is killed with
# SIGKILL while it folds a spool of bodies, then run to the end. Every file
# is consumed, each card's phase equals one tracker's fold of the same files
# (fold_files), each card's outbox is a complete sequence, and the rejected
# operations and bodies are dead letters.  Usage: spool_test.sh OUT_DIR
set -euo pipefail
out=${1:?usage: spool_test.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$out/spool-sqlite"
rm -rf "$work" && mkdir -p "$work/all" "$work/in"

# COPIES copies of the sample log's bodies, each copy's cards and operations
# renamed, one body per file: 17 bodies a copy, one rejected whole, one with
# an invalid operation.
copies=${COPIES:-150}
for k in $(seq -w 1 "$copies"); do
  grep -v '"request"' "$root/core/examples/data/sample-log.jsonl" \
    | sed -e "s/card-0/c$k-0/g" -e "s/\"operationId\":\"/\"operationId\":\"k$k-/g"
done | split -a 4 -l 1 - "$work/all/body-"
total=$(ls "$work/all" | wc -l)
cp "$work/all/"* "$work/in/"

migrations="$root/bindings-wasm/receiver/migrations"
spool="$out/spool_sqlite"
db="$work/spool.db"

# Interrupted: killed once part of the spool is folded.
"$spool" --migrations "$migrations" --issuer ISSUER0001 "$db" "$work/in" 2>"$work/first.err" &
pid=$!
while [ "$(ls "$work/in" | wc -l)" -gt $((total * 3 / 4)) ] && kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
kill -9 "$pid" 2>/dev/null || { echo "spool_sqlite finished before it could be interrupted"; exit 1; }
wait "$pid" 2>/dev/null || true
left=$(ls "$work/in" | wc -l)
[ "$left" -gt 0 ] && [ "$left" -lt "$total" ] || { echo "interrupted with $left of $total files left"; exit 1; }

# Run again: the rest is folded.
"$spool" --migrations "$migrations" --issuer ISSUER0001 "$db" "$work/in" 2>"$work/second.err"
[ -z "$(ls "$work/in")" ] || { echo "files left in the spool"; exit 1; }

"$spool" --phases "$db" > "$work/phases.db.txt"
"$out/fold_files" "$work/all/"* 2>/dev/null > "$work/phases.fold.txt"
diff -u "$work/phases.fold.txt" "$work/phases.db.txt"
test "$(wc -l < "$work/phases.db.txt")" -eq $((copies * 5))  # 5 cards with notifications a copy

# Each card's outbox is 1..n (a failing card prints a line before the counts).
"$spool" --check "$db" > "$work/check.txt"
test "$(wc -l < "$work/check.txt")" -eq 1 || { cat "$work/check.txt"; exit 1; }
dead=$(sed -n 's/.* outbox rows, \([0-9]*\) dead letters$/\1/p' "$work/check.txt")
# One rejected body and one rejected operation per copy (the file being
# folded at the kill may have been folded twice).
[ "$dead" -ge $((copies * 2)) ] && [ "$dead" -le $((copies * 2 + 2)) ] \
  || { echo "dead letters: $dead, expected $((copies * 2))"; exit 1; }
# The schema followed the receiver's migrations, every one recorded; a
# schema newer than the migrations it is given is refused, nothing folded.
expected=$(ls "$migrations" | grep -E '^[0-9]+_.*\.sql$' | sort -n | tr '\n' ' ')
recorded=$(sqlite3 "$db" "SELECT name FROM schema_migrations ORDER BY version" | tr '\n' ' ')
[ "$recorded" = "$expected" ] || { echo "migrations recorded: $recorded; expected: $expected"; exit 1; }
# Rows without an issuer (an earlier spool wrote none; migration 006 gave
# them '') are this spool's issuer's after the next run.
sqlite3 "$db" "UPDATE cards SET issuer_id = '' WHERE card_id LIKE 'c001-%'; UPDATE outbox SET issuer_id = '' WHERE card_id LIKE 'c001-%'"
"$spool" --migrations "$migrations" --issuer ISSUER0001 "$db" "$work/in" 2>"$work/adopt.err"
[ "$(sqlite3 "$db" "SELECT count(*) FROM cards WHERE issuer_id = ''") $(sqlite3 "$db" "SELECT count(*) FROM outbox WHERE issuer_id = ''")" = "0 0" ] \
  || { echo "rows without an issuer were not adopted"; exit 1; }
"$spool" --check "$db" > "$work/check-adopted.txt"
test "$(wc -l < "$work/check-adopted.txt")" -eq 1 || { cat "$work/check-adopted.txt"; exit 1; }
# What a spool must not trust: a link (to /etc/passwd), a FIFO, a file past
# the body limit, a body with a NUL byte. The link and the FIFO are left
# where they are, unread; the others are dead letters, bounded and exact.
ln -s /etc/passwd "$work/in/zz-link"
mkfifo "$work/in/zz-fifo"
head -c 2097152 /dev/zero | tr '\0' 'x' > "$work/in/zz-large"
printf '{"operations":[{"operationId":"op-\000"}]}' > "$work/in/zz-nul"
nul_bytes=$(wc -c < "$work/in/zz-nul")
last=$(sqlite3 "$db" "SELECT max(id) FROM dead_letters")
"$spool" --migrations "$migrations" --issuer ISSUER0001 "$db" "$work/in" 2>"$work/hostile.err" \
  || { cat "$work/hostile.err"; echo "the spool stopped on hostile files"; exit 1; }
[ -L "$work/in/zz-link" ] && [ -p "$work/in/zz-fifo" ] || { echo "the link or the FIFO was removed"; exit 1; }
[ ! -e "$work/in/zz-large" ] && [ ! -e "$work/in/zz-nul" ] || { echo "the large or the NUL file is still there"; exit 1; }
grep -q 'zz-link: not a regular file' "$work/hostile.err" && grep -q 'zz-fifo: not a regular file' "$work/hostile.err" \
  || { cat "$work/hostile.err"; exit 1; }
letters=$(sqlite3 "$db" "SELECT code || ' ' || length(raw_bytes) || ' ' || instr(raw, char(0)) FROM dead_letters WHERE id > $last ORDER BY id")
[ "$letters" = "PAYLOAD_TOO_LARGE 1048576 0
PARSING_ERROR $nul_bytes 0" ] || { echo "hostile files' dead letters: $letters"; exit 1; }
[ "$(sqlite3 "$db" "SELECT count(*) FROM dead_letters WHERE raw LIKE '%root:%'")" = 0 ] || { echo "/etc/passwd was read"; exit 1; }
rm "$work/in/zz-link" "$work/in/zz-fifo"

if "$spool" --migrations "$migrations" --issuer short "$db" "$work/in" 2>/dev/null; then
  echo "an issuer id that is not 10 characters was accepted"; exit 1
fi
sqlite3 "$db" "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, '999_future.sql', 0)"
cp "$work/all/body-aaaa" "$work/in/"
if "$spool" --migrations "$migrations" --issuer ISSUER0001 "$db" "$work/in" 2>"$work/newer.err"; then
  echo "a newer schema was not refused"; exit 1
fi
grep -q '999_future.sql, newer than' "$work/newer.err" || { cat "$work/newer.err"; exit 1; }
[ -f "$work/in/body-aaaa" ] || { echo "the spool was folded against a newer schema"; exit 1; }

echo "spool_sqlite example: $total files, killed with $left left, run again: $(cat "$work/check.txt")"
