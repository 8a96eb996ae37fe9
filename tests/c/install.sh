#!/usr/bin/env bash
# The installed C library as a C project finds it: installs to a throw-away
# prefix, checks the SONAME, then builds the example against the installed
# copy with pkg-config and with CMake (find_package), shared and static, and
# runs each on the sample log. Called by test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/c-install
rm -rf "$out" && mkdir -p "$out"
prefix="$PWD/$out/prefix"
bindings-c/install.sh "$prefix"

soname=$(readelf -d "$prefix/lib/libd1_tracking.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
echo "SONAME: $soname"
[ -n "$soname" ] && [ -e "$prefix/lib/$soname" ] || { echo "no SONAME, or no file of that name"; exit 1; }

# One body per file, as a spool directory holds them.
mkdir -p "$out/spool"
grep -v '"request"' core/examples/data/sample-log.jsonl | split -l 1 - "$out/spool/body-"
check() {
  "$@" "$out"/spool/body-* > "$out/phases.txt" 2> /dev/null
  grep -qx 'card-0001 DELIVERED' "$out/phases.txt" || { echo "$1: unexpected output"; cat "$out/phases.txt"; exit 1; }
}

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
echo "pkg-config: $(pkg-config --modversion d1_tracking), $(pkg-config --cflags --libs d1_tracking)"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror bindings-c/examples/fold_files.c $(pkg-config --cflags --libs d1_tracking) \
  -Wl,-rpath,"$prefix/lib" -o "$out/fold_files_pc"
needed=$(readelf -d "$out/fold_files_pc" | sed -n 's/.*Shared library: \[\(libd1_tracking[^]]*\)\]/\1/p')
[ "$needed" = "$soname" ] || { echo "the program needs $needed, not $soname"; exit 1; }
check "$out/fold_files_pc"
echo "pkg-config build: NEEDED $needed, runs"
# Static, with the flags that keep a small client small.
# shellcheck disable=SC2046
cc -std=c99 -Os bindings-c/examples/fold_files.c $(pkg-config --cflags d1_tracking) "$prefix/lib/libd1_tracking.a" \
  $(pkg-config --static --libs-only-l d1_tracking | sed 's/-ld1_tracking//') -Wl,--gc-sections -s -o "$out/fold_files_static_pc"
check "$out/fold_files_static_pc"
echo "static client (-Wl,--gc-sections -s): $(wc -c < "$out/fold_files_static_pc") bytes"

cmake -S tests/c/cmake -B "$out/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DEXAMPLE="$PWD/bindings-c/examples/fold_files.c" -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log"
cmake --build "$out/cmake" >> "$out/cmake.log"
check "$out/cmake/fold_files_shared"
check "$out/cmake/fold_files_static"
echo "CMake find_package(d1_tracking): shared and static builds run"
