#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite
# (unit, fuzz, system tests under QEMU, and the xen-reference runs) through
# ctest. Extra arguments go to ctest (e.g. -L unit, -R system.hello).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VIREO_BUILD:-$root/build}
bash "$root/tools/setup.sh"
cmake -S "$root" -B "$build" -G Ninja >/dev/null
cmake --build "$build"
cd "$build"
exec ctest --output-on-failure --timeout 900 -j2 "$@"
