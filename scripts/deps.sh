#!/usr/bin/env bash
# Installs what building and testing wasmgrad needs on Debian 12, and nothing when it is
# all there already: the compilers (clang + lld + wasi-libc for wasm32-wasi, Emscripten),
# binaryen's wasm-opt, cmake, Chromium for the browser test, Node.js + npm, and the npm
# devDependencies (playwright-core, which drives the system Chromium; no browser download).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

APT_PACKAGES=(cmake make gcc clang lld wasi-libc libclang-rt-dev-wasm32 emscripten binaryen
              chromium fonts-liberation)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# Node may come from elsewhere than Debian (NodeSource): ask for the commands, not packages.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  say "deps: installing ${missing[*]}"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js >= 20 is needed, found $(node --version)"

# npm ci when node_modules is missing or older than the lock file.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -d node_modules/playwright-core ]; then
  say "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "deps: all present"
