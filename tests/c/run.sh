#!/usr/bin/env bash
# Builds and runs the C tests: with ASan and UBSan against the static library,
# then under valgrind against the shared library; and checks the header
# compiles as C99 and as C++. Called by test.sh after the library is built.
set -euo pipefail
cd "$(dirname "$0")/../.."

lib=target/release
include=bindings-c/include
out=target/c-tests
mkdir -p "$out"
cflags=(-std=c99 -Wall -Wextra -Wpedantic -Werror -g -I"$include")
sources=(tests/c/main.c tests/c/harness.c tests/c/test_api.c tests/c/test_fixtures.c tests/c/test_rows.c)
# What a Rust static library needs from the system (cargo rustc --print native-static-libs).
native_libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)

echo "-- header: C99 and C++"
printf '#include "d1_tracking.h"\nint main(void) { return d1t_version() == 0; }\n' > "$out/header.c"
gcc "${cflags[@]}" -c "$out/header.c" -o "$out/header_c.o"
printf '#include "d1_tracking.h"\nint main() { d1t_tracker *t = nullptr; d1t_tracker_free(t); return 0; }\n' > "$out/header.cpp"
g++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -I"$include" -c "$out/header.cpp" -o "$out/header_cpp.o"

echo "-- C tests with -fsanitize=address,undefined (static library)"
gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
  "${sources[@]}" "$lib/libd1_tracking.a" "${native_libs[@]}" -o "$out/tests-asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$out/tests-asan" target/c-fixtures

echo "-- C tests under valgrind (shared library)"
# The library's SONAME (bindings-c/build.rs) is the name programs load:
# give the built file that name beside it.
soname=$(readelf -d "$lib/libd1_tracking.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
ln -sf libd1_tracking.so "$lib/$soname"
gcc "${cflags[@]}" -O1 "${sources[@]}" -L"$lib" -Wl,-rpath,"$PWD/$lib" -ld1_tracking -o "$out/tests-valgrind"
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,possible --error-exitcode=1 \
  "$out/tests-valgrind" target/c-fixtures

echo "-- allocation failure aborts, as the header says (under ulimit -v)"
gcc "${cflags[@]}" -O1 tests/c/oom.c "$lib/libd1_tracking.a" "${native_libs[@]}" -o "$out/oom"
set +e
(ulimit -v 400000; exec "$out/oom") 2> "$out/oom.err"
status=$?
set -e
# 134: killed by SIGABRT (128 + 6).
if [ "$status" != 134 ] || ! grep -q 'memory allocation of [0-9]* bytes failed' "$out/oom.err"; then
  echo "allocation failure: exit $status, expected 134 (SIGABRT) with Rust's message:"; cat "$out/oom.err"; exit 1
fi
echo "allocation failure: SIGABRT with \"$(head -1 "$out/oom.err")\""
