// The startup case: wall time of a new `node` process that imports a system, initialises it and
// computes sin of 3 elements, minus that of a bare `node -e 0`. Systems and bare node alternate
// sample by sample; each figure is a median.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './measure.mjs';

const CHILD = fileURLToPath(new URL('./startup-child.mjs', import.meta.url));
const EXPECTED = [1, 2, 3].map(Math.sin);

function timeProcess(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
  return { ms, stdout: r.stdout };
}

/** { bare, results: { name: { ms } | { error } | { wrong } } } */
export function measureStartup(names, samples) {
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const results = {};
  const bare = [];
  for (let i = 0; i < samples; i++) {
    bare.push(timeProcess(['-e', '0']).ms);
    for (const name of names) {
      if (results[name]) continue; // already failed
      try {
        const { ms, stdout } = timeProcess([CHILD, name]);
        const got = JSON.parse(stdout);
        const err = Math.max(...EXPECTED.map((v, k) => Math.abs(got[k] - v)));
        if (!(err < 1e-5)) results[name] = { wrong: err };
        times[name].push(ms);
      } catch (e) {
        results[name] = { error: e.message };
      }
    }
  }
  const bareMs = median(bare);
  for (const name of names) results[name] ??= { ms: median(times[name]) - bareMs, total: median(times[name]) };
  return { bare: bareMs, results };
}
