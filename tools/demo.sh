#!/usr/bin/env bash
# Installs what is missing, builds everything and boots Vireo under QEMU with
# its default domains, console on this terminal (Ctrl-A x quits QEMU;
# Ctrl-A three times... is Vireo's own console switch, as in Xen).
# `demo.sh linux-dom0` boots Debian's Linux as dom0 with QEMU's disk and NIC
# instead (tools/run-default.sh says more).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VIREO_BUILD:-$root/build}
bash "$root/tools/setup.sh"
cmake -S "$root" -B "$build" -G Ninja >/dev/null
cmake --build "$build"
bash "$root/tools/fetch-reference.sh" "$build/ref" >/dev/null  # Debian's kernel for the Linux domain
exec bash "$root/tools/run-default.sh" "$build" "$@"
