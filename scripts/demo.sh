#!/usr/bin/env bash
# Builds wasmgrad, then prints sin and tanh and their derivatives up to order 3.
# The install and build output goes to build/demo.log (shown only if a step fails).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mkdir -p build
LOG=build/demo.log
quiet() { "$@" >>"$LOG" 2>&1 || { cat "$LOG"; die "'$*' failed (log: $LOG)"; }; }
: >"$LOG"
say "demo: installing what is missing, building (log: $LOG)"
quiet bash scripts/deps.sh
quiet bash scripts/build.sh
echo
say "demo: node demos/derivatives.mjs"
exec node demos/derivatives.mjs "$@"
