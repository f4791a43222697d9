#!/usr/bin/env bash
# Fuzzes the C API with libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer).
#
#   scripts/fuzz.sh [SECONDS=60] [libFuzzer flags...]
#   scripts/fuzz.sh build              only (re)build build/fuzz/fuzz_api
#
# Builds build/fuzz/fuzz_api from src/ and tests/fuzz/fuzz_api.c (clang; the libFuzzer runtime
# is Debian's libclang-rt-<N>-dev, installed if missing), then runs it for SECONDS on a
# working corpus seeded from the small committed tests/fuzz/corpus/: build/fuzz/corpus, which
# grows from run to run, or for runs of 60 s or less (the smoke run of scripts/test.sh) a fresh
# build/fuzz/smoke-corpus, so that the whole run fuzzes instead of replaying a large corpus.
# malloc, calloc, realloc and aligned_alloc are wrapped at link time so that the harness
# can make any allocation fail. A finding is written to build/fuzz/artifacts/ and the script
# exits non-zero; reproduce it with build/fuzz/fuzz_api <artifact>.
# Env: FUZZ_JOBS=N runs N workers in parallel (default 1); CC picks the compiler.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECONDS_TO_RUN=${1:-60}
shift || true
OUT=build/fuzz
BIN=$OUT/fuzz_api
CC=${CC:-clang}
CORPUS=$OUT/corpus
if [ "$SECONDS_TO_RUN" != build ] && [ "$SECONDS_TO_RUN" -le 60 ]; then
  CORPUS=$OUT/smoke-corpus
  rm -rf "$CORPUS"
fi
mkdir -p "$CORPUS" "$OUT/artifacts"

# The libFuzzer runtime: Debian ships it in libclang-rt-<major>-dev.
rtdir=$("$CC" -print-runtime-dir 2>/dev/null || true)
if ! ls "$rtdir"/libclang_rt.fuzzer*.a >/dev/null 2>&1 && ! ls "$("$CC" -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  major=$("$CC" -dumpversion | cut -d. -f1)
  say "fuzz: installing libclang-rt-$major-dev (libFuzzer runtime)"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "libclang-rt-$major-dev" </dev/null
fi

sources=(src/*.c src/kernels/*.c tests/fuzz/fuzz_api.c)
if [ ! -x "$BIN" ] || [ -n "$(find "${sources[@]}" src/*.h src/ops.def src/kernels/*.h src/simd -newer "$BIN" 2>/dev/null | head -1)" ]; then
  say "fuzz: building $BIN"
  "$CC" -std=c11 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Isrc "${sources[@]}" -lm \
    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc \
    -o "$BIN"
fi

[ "$SECONDS_TO_RUN" = build ] && exit 0

# the committed seeds pack many programs per file (see fuzz_api.c): unpacked, one per file,
# they mutate into small inputs, which run faster
node -e '
  const fs = require("fs"), path = require("path"), [from, to] = process.argv.slice(1);
  const sep = Buffer.from("\n--wg--\n");
  for (const f of fs.readdirSync(from)) {
    let data = fs.readFileSync(path.join(from, f)), k = 0;
    for (let i; (i = data.indexOf(sep)) >= 0 || data.length; k++) {
      const part = i >= 0 ? data.subarray(0, i) : data;
      const out = path.join(to, `${f}-${k}`);
      if (part.length && !fs.existsSync(out)) fs.writeFileSync(out, part);
      data = i >= 0 ? data.subarray(i + sep.length) : Buffer.alloc(0);
    }
  }' tests/fuzz/corpus "$CORPUS"
say "fuzz: running for ${SECONDS_TO_RUN}s ($(ls "$CORPUS" | wc -l) corpus inputs in $CORPUS)"
# allocator_may_return_null: a huge malloc fails (as in wasm) instead of aborting; a smaller
# quarantine keeps long runs under the RSS limit (with 256 MB it reached 3.5 GB in 20 minutes)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
jobs=${FUZZ_JOBS:-1}
extra=()
[ "$jobs" -gt 1 ] && extra=(-jobs="$jobs" -workers="$jobs")
# The progress lines (NEW, REDUCE, pulse...) go only to $OUT/fuzz.log; findings and stats are shown.
set +e
"$BIN" "$CORPUS" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=20 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" "${extra[@]}" "$@" 2>&1 | tee "$OUT/fuzz.log" |
  grep --line-buffered -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)|^[[:space:]]+NEW_FUNC'
rc=${PIPESTATUS[0]}
set -e
exit "$rc"
