#!/usr/bin/env bash
# Builds wasmgrad, then prints sin and tanh and their derivatives up to order 3.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash scripts/deps.sh
bash scripts/build.sh
echo
say "demo: node demos/derivatives.mjs"
exec node demos/derivatives.mjs "$@"
