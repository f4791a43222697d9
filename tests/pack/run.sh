#!/usr/bin/env bash
# Package test: `npm pack` the repo, check what the tarball holds, install it into a fresh
# project (no registry needed: the package has no runtime dependencies) and run the seed
# example of API.md there through the public entry point `import ... from 'wasmgrad'`.
# Last line: "N passed, N failed".
set -uo pipefail   # no -e: every check runs and is counted
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wasmgrad-pack.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

passed=0 failed=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok     $name"
  else
    failed=$((failed + 1)); echo "FAILED $name"; [ -z "$out" ] || sed 's/^/         /' <<<"$out"
  fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

cd "$ROOT"
[ -f dist/wasmgrad.wasm ] || { echo "FAILED dist/wasmgrad.wasm is missing: run scripts/build.sh"; failed=1; finish; }

# ---- npm pack ---------------------------------------------------------------------------------
if ! tarball=$(npm pack --silent --pack-destination "$TMP" 2>"$TMP/pack.err" | tail -n 1) || [ ! -f "$TMP/$tarball" ]; then
  echo "FAILED npm pack"; sed 's/^/         /' "$TMP/pack.err"; failed=1; finish
fi
tar -tzf "$TMP/$tarball" | sed 's|^package/||' | sort >"$TMP/contents"
echo "packed $tarball: $(wc -l <"$TMP/contents") files, $(wc -c <"$TMP/$tarball") bytes"

has()    { grep -qx "$1" "$TMP/contents" || { echo "not in the tarball"; return 1; }; }
hasnot() { ! grep -E "$1" "$TMP/contents"; }
for f in package.json README.md index.d.ts js/index.js dist/wasmgrad.wasm; do
  check "tarball has $f" has "$f"
done
check "tarball has no src/, tests/, build/, demos/, bench/, node_modules/" hasnot '^(src|tests|build|demos|bench|web|node_modules|scripts|cmake)/'
check "tarball ships only the wasi module" hasnot '^dist/.*emscripten'
check "tarball wasm is the built one" cmp "$ROOT/dist/wasmgrad.wasm" <(tar -xzOf "$TMP/$tarball" package/dist/wasmgrad.wasm)

# ---- install into a fresh project ----------------------------------------------------------------
APP=$TMP/app
mkdir -p "$APP"
cat >"$APP/package.json" <<'JSON'
{ "name": "wasmgrad-pack-test", "version": "1.0.0", "private": true, "type": "module" }
JSON
install() {
  cd "$APP" && npm install --offline --no-audit --no-fund --loglevel=error "$TMP/$tarball"
}
check "npm install <tarball> into a fresh project (offline)" install

cat >"$APP/seed.mjs" <<'JS'
// The seed example of API.md, run from an installed package; values checked against Math.*.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init, nd, autograd } from 'wasmgrad';

let failed = 0;
const check = (name, ok, detail = '') => {
  if (!ok) failed++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${ok ? '' : `: ${detail}`}`);
};
const close = (got, f, xs, tol) => Array.isArray(got) && got.length === xs.length &&
  got.every((v, i) => Math.abs(v - f(xs[i])) <= tol);

const wasmUrl = import.meta.resolve('wasmgrad/wasmgrad.wasm');
check("exports['./wasmgrad.wasm'] resolves to a file", existsSync(fileURLToPath(wasmUrl)), wasmUrl);

await init();   // the default: the loader finds dist/wasmgrad.wasm next to itself
const xs = [1, 2, 3];
const x = nd.array(xs);
x.attachGrad();
const y = autograd.record(() => nd.sin(x));
const dy = autograd.grad(y, x, { createGraph: true, retainGraph: true })[0];
dy.backward();
check('seed: y = sin(x)', close(y.toArray(), Math.sin, xs, 1e-5), JSON.stringify(y.toArray()));
check('seed: dy = cos(x)', close(dy.toArray(), Math.cos, xs, 1e-5), JSON.stringify(dy.toArray()));
check('seed: x.grad = -sin(x)', close(x.grad.toArray(), (v) => -Math.sin(v), xs, 1e-5), JSON.stringify(x.grad?.toArray()));
process.exit(failed ? 1 : 0);
JS
seed() { cd "$APP" && env -u WASMGRAD_WASM node seed.mjs; }
check "seed example runs from the installed package" seed
finish
