#!/usr/bin/env bash
# Builds both WebAssembly modules and the bundled ES module:
#   dist/wasmgrad.wasm             wasi-sdk (clang --target=wasm32-wasi), no imports; shipped in the npm package
#   dist/wasmgrad-emscripten.wasm  Emscripten STANDALONE_WASM; imports env.emscripten_notify_memory_growth
#   dist/wasmgrad.mjs              js/ bundled into one file (npm run build:js); the package's "import"
#                                  entry: Node resolves one module instead of ten, browsers fetch one
# Build trees: build/wasi, build/emscripten. Prints the sizes, raw and gzip -9.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say "build: wasm32-wasi (clang + wasi-libc)"
cmake -S . -B build/wasi -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/wasi-sdk.cmake" --log-level=WARNING
cmake --build build/wasi -j "$JOBS"

say "build: Emscripten"
command -v emcmake >/dev/null 2>&1 || die "emcmake not found: run scripts/deps.sh"
# Debian's emscripten tools load acorn & co from Debian's node modules.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
emcmake cmake -S . -B build/emscripten --log-level=WARNING >/dev/null
cmake --build build/emscripten -j "$JOBS"

mkdir -p dist
cp build/wasi/wasmgrad.wasm dist/wasmgrad.wasm
cp build/emscripten/wasmgrad.wasm dist/wasmgrad-emscripten.wasm

say "build: dist/wasmgrad.mjs"
npm run --silent build:js

# The binding instantiates with exactly these imports: catch a stray printf or abort early.
node scripts/check-wasm.mjs dist/wasmgrad.wasm --imports=env.wg_host_vjp,env.wg_host_release \
  dist/wasmgrad-emscripten.wasm --imports=env.emscripten_notify_memory_growth,env.wg_host_vjp,env.wg_host_release

size() { printf '%8d B raw %8d B gzip -9' "$(wc -c <"$1")" "$(gzip -9 -c "$1" | wc -c)"; }
say "build: sizes"
printf '  %-34s %s\n' dist/wasmgrad.mjs "$(size dist/wasmgrad.mjs)"
for pair in wasi:dist/wasmgrad.wasm emscripten:dist/wasmgrad-emscripten.wasm; do
  name=${pair%%:*} file=${pair#*:}
  printf '  %-34s %s\n' "$file" "$(size "$file")"
  unopt=build/$name/wasmgrad.unopt.wasm
  [ -f "$unopt" ] && printf '  %-34s %s\n' "  (before wasm-opt)" "$(size "$unopt")"
done
