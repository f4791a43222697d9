#!/usr/bin/env node
// Regenerates docs/operators.md (npm run docs:operators): every operator with the orders and
// dtypes its tests verify, its kink convention and the worst forward error measured on this
// build. Usage: node scripts/operators-doc.mjs [--out FILE]   (WASMGRAD_WASM selects the module)
import { writeFileSync } from 'node:fs';
import { init } from '../js/index.js';
import { renderOperatorsDoc, DOC_PATH } from '../tests/js/helpers/operators-doc.mjs';

const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : DOC_PATH;
await init();
writeFileSync(out, renderOperatorsDoc());
console.log(`wrote ${out}`);
