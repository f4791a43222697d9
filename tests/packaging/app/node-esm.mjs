// Node ESM: import 'wasmgrad' from the installed package; the wasm is found next to it.
import * as wasmgrad from 'wasmgrad';
import { compute } from './compute.js';
import { compare } from './expected.mjs';

await wasmgrad.init();
const problems = compare(compute(wasmgrad));
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
