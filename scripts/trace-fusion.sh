#!/usr/bin/env bash
# Prints every pass over memory that a derivative of a composition makes, and why it ran
# (src/fusion.c, WG_TRACE_FUSION), then a count by reason. Operators that run their kernel
# directly (an expensive one without pending inputs, or one that cannot be deferred) are not
# listed: only what the fusion engine runs.
#   bash scripts/trace-fusion.sh [tanh|sin|silu|gelu|gelu-tanh] [ORDER=2] [N=1048576]
# A native build (gcc) into build/trace/; nothing else is touched.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p build/trace
gcc -O2 -std=c11 -DWG_TRACE_FUSION -D_DEFAULT_SOURCE -Isrc -o build/trace/trace_fusion \
  tools/trace_fusion.c src/*.c src/kernels/*.c -lm
build/trace/trace_fusion "$@" 2>&1 | tee build/trace/last.txt
echo "passes by reason:"
sed -nE 's/^  ([a-z -]*[a-z]) +[0-9]+:.*/\1/p' build/trace/last.txt | sort | uniq -c | sort -rn
