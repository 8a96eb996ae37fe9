#!/usr/bin/env bash
# Installs the C library to a prefix, as a distribution package would:
#   PREFIX/lib/libd1_tracking.so.VERSION, .so.ABI and .so (symlinks), libd1_tracking.a
#   PREFIX/include/d1_tracking.h
#   PREFIX/lib/pkgconfig/d1_tracking.pc
#   PREFIX/lib/cmake/d1_tracking/d1_trackingConfig.cmake, …ConfigVersion.cmake
# Usage: bindings-c/install.sh PREFIX   (builds the library first, in release)
# cargo-c does this for Rust C libraries; docs/decisions.md says why this
# script stands in for it here.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:?usage: bindings-c/install.sh PREFIX}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
major=${version%%.*}
minor=${version#*.}; minor=${minor%%.*}
if [ "$major" = 0 ]; then abi="0.$minor"; else abi="$major"; fi

cargo build --release --locked -q -p d1-tracking-c
install -d "$prefix/lib/pkgconfig" "$prefix/lib/cmake/d1_tracking" "$prefix/include"
install -m 0644 bindings-c/include/d1_tracking.h "$prefix/include/"
install -m 0644 target/release/libd1_tracking.a "$prefix/lib/"
install -m 0755 target/release/libd1_tracking.so "$prefix/lib/libd1_tracking.so.$version"
ln -sf "libd1_tracking.so.$version" "$prefix/lib/libd1_tracking.so.$abi"
ln -sf "libd1_tracking.so.$abi" "$prefix/lib/libd1_tracking.so"
fill() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" -e "s|@ABI@|$abi|g" "$1" > "$2"; }
fill bindings-c/d1_tracking.pc.in "$prefix/lib/pkgconfig/d1_tracking.pc"
fill bindings-c/cmake/d1_trackingConfig.cmake.in "$prefix/lib/cmake/d1_tracking/d1_trackingConfig.cmake"
fill bindings-c/cmake/d1_trackingConfigVersion.cmake.in "$prefix/lib/cmake/d1_tracking/d1_trackingConfigVersion.cmake"
echo "installed d1_tracking $version (SONAME libd1_tracking.so.$abi) to $prefix"
