// Checks a built module before it ships: it compiles, it imports exactly what the JS
// loader provides, and it exports memory and the wg_* C ABI.
//   node scripts/check-wasm.mjs FILE --imports=mod.name,mod.name [FILE --imports=...]...
import { readFileSync } from 'node:fs';

let failed = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const file = args[i];
  const want = (args[i + 1] ?? '').replace(/^--imports=/, '').split(',').filter(Boolean).sort();
  const mod = new WebAssembly.Module(readFileSync(file));
  const got = WebAssembly.Module.imports(mod).map((d) => `${d.module}.${d.name}`).sort();
  const exports = WebAssembly.Module.exports(mod).map((d) => d.name);
  const api = exports.filter((n) => n.startsWith('wg_'));
  const ok = JSON.stringify(got) === JSON.stringify(want) && exports.includes('memory') && api.length > 0;
  console.log(`${ok ? 'ok' : 'BAD'}  ${file}: imports [${got.join(', ')}], ${api.length} wg_* exports` +
    `, others [${exports.filter((n) => !n.startsWith('wg_')).join(', ')}]`);
  if (!ok) {
    failed = true;
    if (JSON.stringify(got) !== JSON.stringify(want)) console.error(`  expected imports [${want.join(', ')}]`);
  }
}
process.exit(failed ? 1 : 0);
