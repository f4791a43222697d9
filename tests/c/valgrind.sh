#!/usr/bin/env bash
# The native C tests (build/native: no sanitizers) under valgrind memcheck: no invalid read or
# write, no use of uninitialised memory, no definite or indirect leak. `npm run test:valgrind`;
# scripts/test.sh runs it too (about 10 s). Last line: "valgrind: N passed, N failed".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

if ! command -v valgrind >/dev/null 2>&1; then
  say "valgrind: installing it"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends valgrind </dev/null
fi
cmake -S . -B build/native --log-level=WARNING >/dev/null
cmake --build build/native -j "$JOBS" >/dev/null

# one valgrind per test, $JOBS at a time
run_one() {
  local name=$1 log=build/native/$1.valgrind.log
  if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
       "build/native/$name" >"$log" 2>&1; then
    echo "ok   $name"
  else
    echo "FAIL $name (valgrind log: $log)"
    cat "$log"
  fi
}
export -f run_one
results=$(for src in tests/c/*.c; do basename "$src" .c; done | xargs -P "$JOBS" -I{} bash -c 'run_one {}')
echo "$results"
passed=$(grep -c '^ok ' <<<"$results" || true)
failed=$(grep -c '^FAIL ' <<<"$results" || true)
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
