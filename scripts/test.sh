#!/usr/bin/env bash
# The one test command: installs what is missing, builds, then runs every test.
#   1. C core natively under AddressSanitizer + UndefinedBehaviorSanitizer (ctest), under valgrind,
#      and fuzzed for 30 s (libFuzzer, scripts/fuzz.sh)
#   2. JS tests in Node (node --test tests/js/), once per wasm build
#   3. the browser test in headless Chromium (tests/browser/run.mjs), both wasm builds
#   4. the npm package, packed and installed into a fresh project (tests/pack/run.sh)
#   5. that package in every JS setup: CommonJS, TypeScript types, esbuild, Vite, Web Worker (tests/packaging/run.mjs)
# Stops at the first failure. Logs: test-results/logs/. Last line: "total: N passed, N failed".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LOGDIR=test-results/logs
rm -rf "$LOGDIR" && mkdir -p "$LOGDIR"
SUMMARY=() PASSED=0 FAILED=0 STEP="" LOG=""

finish() {
  local rc=$?
  echo
  if [ "$rc" -ne 0 ]; then
    echo "FAILED at step: ${STEP:-?} (exit $rc)${LOG:+; full output in $LOG}"
    echo
  fi
  echo "Summary"
  local line
  for line in "${SUMMARY[@]}"; do echo "  $line"; done
  echo "  time: $((SECONDS / 60))m$((SECONDS % 60))s"
  [ "$rc" -eq 0 ] && echo "all tests passed" || echo "TESTS FAILED"
  echo "total: $PASSED passed, $FAILED failed"
}
trap finish EXIT

# count KIND LOG -> "passed failed" read from the closing lines of that runner
count() {
  local kind=$1 log=$2 p=0 f=0 line
  case $kind in
    ctest)
      line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
      if [ -n "$line" ]; then
        f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
        p=$(( $(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line") - f ))
      fi ;;
    node)   # TAP ("# pass 3") or spec ("ℹ pass 3") reporter
      p=$(grep -E '^(# |ℹ )pass [0-9]+$' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
      f=$(grep -E '^(# |ℹ )fail [0-9]+$' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0) ;;
    plain)  # "N passed, N failed"
      line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
      if [ -n "$line" ]; then
        p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
        f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
      fi ;;
  esac
  echo "$p $f"
}

# step NAME KIND CMD...: runs CMD with its output shown and logged; KIND (none ctest node plain)
# says how to read its pass/fail counts. A test step that ran no test is a failure.
step() {
  local name=$1 kind=$2 rc t0=$SECONDS p f
  shift 2
  STEP=$name LOG="$LOGDIR/$(tr -c 'a-zA-Z0-9\n' '-' <<<"$name" | tr -s '-').log"
  echo
  say "$name"
  set +e
  "$@" 2>&1 | tee "$LOG"
  rc=${PIPESTATUS[0]}
  set -e
  local took=$((SECONDS - t0))s
  if [ "$kind" = none ]; then
    SUMMARY+=("$(printf '%-34s %-24s %6s' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" "$took")")
  else
    read -r p f < <(count "$kind" "$LOG")
    PASSED=$((PASSED + p)) FAILED=$((FAILED + f))
    SUMMARY+=("$(printf '%-34s %-24s %6s' "$name" "$p passed, $f failed" "$took")")
    if [ "$rc" -eq 0 ] && [ $((p + f)) -eq 0 ]; then
      echo "error: '$name' ran no test"
      return 1
    fi
  fi
  return "$rc"
}

step "deps" none bash scripts/deps.sh
step "build wasm (wasi + emscripten)" none bash scripts/build.sh

step "build native (ASan+UBSan)" none bash -c '
  cmake -S . -B build/native-asan -DWASMGRAD_SANITIZE=ON --log-level=WARNING &&
  cmake --build build/native-asan -j '"$JOBS"
step "C tests, native ASan+UBSan" ctest bash -c 'cd build/native-asan && ctest --output-on-failure -j '"$JOBS"
step "C tests, native, valgrind" plain bash tests/c/valgrind.sh
step "fuzz the C API for 30 s" none bash scripts/fuzz.sh 30
# the -DWG_TRACE_FUSION build still compiles and prints the passes of tanh''
step "fusion trace build" none bash -c \
  'out=$(bash scripts/trace-fusion.sh tanh 2 65536) && echo "$out" && grep -q "sum of pending" <<<"$out"'

# node --test runs only files named like tests: *.test.{js,mjs}, test-*.{js,mjs}, *_test.*, ...
unmatched=$(find tests/js -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \) \
  ! -name '*.test.*' ! -name '*-test.*' ! -name '*_test.*' ! -name 'test-*' ! -name 'test.*' \
  ! -path '*/helpers/*' ! -path '*/fixtures/*' 2>/dev/null || true)
[ -z "$unmatched" ] || warn "node --test does not run these (not named *.test.mjs etc.): $(echo $unmatched)"

step "JS tests, Node, wasi build" node \
  env WASMGRAD_WASM="$ROOT/dist/wasmgrad.wasm" node --test --test-timeout=120000 tests/js/
step "JS tests, Node, emscripten build" node \
  env WASMGRAD_WASM="$ROOT/dist/wasmgrad-emscripten.wasm" node --test --test-timeout=120000 tests/js/
step "browser, headless Chromium" plain node tests/browser/run.mjs
step "demo pages, headless Chromium" plain node tests/browser/demos.mjs
step "npm package" plain bash tests/pack/run.sh
step "packaging: CJS, TS, bundlers" plain node tests/packaging/run.mjs
