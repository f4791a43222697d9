#!/usr/bin/env node
// The benchmark suite of BENCH.md: wasmgrad beside TF.js (wasm and cpu backends) and jax-js
// (eager and jit), all in this one process. For each case every system gets the same inputs,
// is checked against a float64 reference, warmed up, then timed in rounds that alternate the
// systems, so that a noisy moment of the machine hits them all alike.
//
//   node bench/run.mjs [--quick] [--only case,...] [--systems name,...] [--out file.md]
//
// A full run (no --quick/--only/--systems) writes bench/results.md.
import { writeFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CASES, EXTRA_CASES, SPECIAL, ALL_IDS } from './lib/cases.mjs';
import { relativeError, median, sample, TOLERANCE } from './lib/measure.mjs';
import { selfCheckMlp } from './lib/reference.mjs';
import { SYSTEM_NAMES, loadSystem } from './lib/systems/registry.mjs';
import { ensureTfBundle } from './lib/tfjs-bundle.mjs';
import { measureStartup } from './lib/startup.mjs';
import { bundleSize } from './lib/bundle.mjs';
import { table, errorTable, machine, fmt } from './lib/report.mjs';

const MODES = {
  full: { warmups: 3, runs: 10, seconds: 1, rounds: 3, startupSamples: 11 },
  quick: { warmups: 1, runs: 3, seconds: 0.05, rounds: 1, startupSamples: 3 },
};

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(`usage: node bench/run.mjs [--quick] [--only ${ALL_IDS.join(',')}]\n` +
    `                         [--systems ${SYSTEM_NAMES.join(',')}] [--out results.md]`);
  process.exit(0);
}
const list = (text, known, what) => {
  if (!text) return known;
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return known.filter((n) => names.includes(n));
};
const caseIds = list(args.only, ALL_IDS, 'case');
const systemNames = list(args.systems, SYSTEM_NAMES, 'system');
const mode = args.quick ? 'quick' : 'full';
const cfg = MODES[mode];
const notes = []; // free-text lines for results.md

const log = (...a) => console.error(...a); // progress on stderr; the table on stdout

/** Everything about one system on one case, up to the timed loop. */
async function prepare(system, kase, host, want) {
  const state = { system, inputs: [], samples: [] };
  try {
    if (system.loadError) throw new Error(system.loadError);
    await system.activate?.();
    const t = Object.fromEntries(Object.entries(host).map(([k, v]) => [k, system.fromHost(v)]));
    state.inputs = Object.values(t);
    state.run = system.kinds[kase.kind](t, kase.params);
    state.err = relativeError(state.run(), want);
    if (!(state.err <= TOLERANCE)) return { ...state, status: 'wrong' };
    for (let i = 0; i < cfg.warmups; i++) state.run();
  } catch (error) {
    return { ...state, status: 'fails', error: error.message.split('\n')[0] };
  }
  return state;
}

async function release(state) {
  try {
    await state.system.activate?.();
    state.run?.dispose?.();
    for (const a of state.inputs) state.system.free(a);
  } catch (error) {
    notes.push(`${state.system.name}: freeing the inputs failed: ${error.message}`);
  }
}

async function timeCase(kase, systems) {
  const host = kase.inputs(kase.size[mode]);
  const want = kase.reference(host, kase.params);
  const states = [];
  for (const s of systems) states.push(await prepare(s, kase, host, want));
  const timed = states.filter((st) => !st.status);
  // Live-array counts once every system is prepared (TF.js counts both backends together).
  for (const st of timed) st.live = st.system.live();
  const per = { runs: Math.ceil(cfg.runs / cfg.rounds), seconds: cfg.seconds / cfg.rounds };
  for (let r = 0; r < cfg.rounds; r++) {
    for (const st of r % 2 ? [...timed].reverse() : timed) {
      if (st.status) continue;
      await st.system.activate?.();
      try {
        st.samples.push(...sample(st.run, per));
      } catch (error) {
        Object.assign(st, { status: 'fails', error: error.message.split('\n')[0] });
      }
    }
  }
  const results = {};
  for (const st of states) {
    const name = st.system.name;
    if (st.status) {
      results[name] = { status: st.status, err: st.err, error: st.error };
    } else {
      results[name] = { ms: median(st.samples), runs: st.samples.length, err: st.err };
      const live = st.system.live();
      if (live !== null && live !== st.live) notes.push(`${name} on ${kase.id}: ${live - st.live} more live arrays after the timed runs than before`);
    }
  }
  for (const st of states) await release(st);
  return results;
}

/** startup: ms of a new process over bare node; every system in turn, sample by sample. */
function startupCase(names) {
  const { bare, results } = measureStartup(names, cfg.startupSamples);
  notes.push(`startup: bare \`node -e 0\` takes ${fmt(bare)} ms here; the startup row is each system's median minus that.`);
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name,
    r.error ? { status: 'fails', error: r.error } : r.wrong ? { status: 'wrong', err: r.wrong } : { ms: r.ms }]));
}

/** bundle: gzip -9 bytes of the minified JS and the wasm a browser fetches for unary_grad2. */
async function bundleCase(names) {
  const results = {};
  for (const name of names) {
    try {
      const { gzip, files } = await bundleSize(name);
      results[name] = { bytes: gzip };
      notes.push(`bundle ${name}: ${files.map((f) => `${f.file} ${f.raw} B raw, ${f.gzip} B gzip`).join('; ')}`);
    } catch (error) {
      results[name] = { status: 'fails', error: error.message.split('\n')[0] };
    }
  }
  return results;
}

const SPECIAL_RUNNERS = { startup: startupCase, bundle: bundleCase };

/** One note per distinct failure (systems with the same cases and message share it), with the
 *  adapter's explanation where it has one; one per wrong result. */
function failureNotes(rows, systems) {
  const byMessage = new Map(); // message -> system -> [case]
  const out = [];
  for (const { id, results } of rows) {
    for (const [name, r] of Object.entries(results)) {
      if (r.status === 'wrong') out.push(`${name} is wrong on ${id}: max relative error ${r.err.toExponential(1)} > ${TOLERANCE}.`);
      if (r.status !== 'fails') continue;
      if (!byMessage.has(r.error)) byMessage.set(r.error, new Map());
      const m = byMessage.get(r.error);
      m.set(name, [...(m.get(name) ?? []), id]);
    }
  }
  for (const [message, perSystem] of byMessage) {
    const byCases = new Map(); // "case, case" -> [system]
    for (const [name, ids] of perSystem) byCases.set(ids.join(', '), [...(byCases.get(ids.join(', ')) ?? []), name]);
    for (const [ids, names] of byCases) {
      const why = systems.find((s) => s.name === names[0])?.explain?.(message);
      out.push(`${names.join(', ')} ${names.length > 1 ? 'fail' : 'fails'} on ${ids}: "${message}"${why ? ` ${why}` : ''}`);
    }
  }
  return out;
}

/** Which wasmgrad was measured: the repo's commit and the wasm file the binding loads. */
function wasmgradBuild() {
  const wasm = process.env.WASMGRAD_WASM ?? fileURLToPath(new URL('../dist/wasmgrad.wasm', import.meta.url));
  const git = (...a) => execFileSync('git', a, { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' }).trim();
  let commit = 'unknown commit';
  try {
    commit = `commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', '../src', '../js') ? ' with uncommitted changes in src/ or js/' : ''}`;
  } catch { /* not a git checkout */ }
  const file = wasm.replace(/.*\/(dist\/)/, '$1');
  try {
    const { size, mtime } = statSync(wasm);
    return `wasmgrad: ${commit}; ${file} ${size} B, built ${mtime.toISOString().slice(0, 16)}.`;
  } catch {
    return `wasmgrad: ${commit}; ${file} is missing (build it with \`bash scripts/build.sh\`).`;
  }
}

async function main() {
  if (systemNames.includes('wasmgrad')) notes.push(wasmgradBuild());
  if (systemNames.some((n) => n.startsWith('tfjs'))) await ensureTfBundle();
  const systems = [];
  for (const name of systemNames) {
    const s = await loadSystem(name);
    try {
      await s.load();
    } catch (error) {
      s.loadError = `could not load: ${error.message.split('\n')[0]}`; // then it fails every case
    }
    systems.push(s);
  }
  const selected = [...CASES, ...EXTRA_CASES].filter((c) => caseIds.includes(c.id));
  const isExtra = (id) => EXTRA_CASES.some((c) => c.id === id);
  if (selected.some((c) => c.kind.startsWith('mlp'))) {
    const mlp = CASES.find((c) => c.id === 'mlp_hvp');
    const worst = selfCheckMlp(mlp.inputs(mlp.size[mode]));
    notes.push(`MLP float64 reference vs central finite differences: max relative error ${worst.toExponential(1)}.`);
    if (!(worst < 1e-6)) throw new Error(`the float64 MLP reference disagrees with finite differences (${worst})`);
  }
  const rows = [];
  const suite = selected.filter((c) => !isExtra(c.id)), extra = selected.filter((c) => isExtra(c.id));
  for (const kase of [...suite, ...SPECIAL.filter((c) => caseIds.includes(c.id)), ...extra]) {
    log(`${kase.id} ...`);
    const results = kase.kind ? await timeCase(kase, systems) : await SPECIAL_RUNNERS[kase.id](systemNames);
    rows.push({ id: kase.id, results });
  }
  notes.push(...failureNotes(rows, systems));

  const main = table(rows.filter((r) => !isExtra(r.id)), systemNames);
  const beyond = table(rows.filter((r) => isExtra(r.id)), systemNames);
  console.log(`\nwasmgrad bench (${mode}): median ms per run; startup: ms over bare node; bundle: gzip -9\n`);
  console.log(main);
  if (extra.length) console.log(`\nbeyond the suite:\n\n${beyond}`);
  console.log(`\nnotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);

  const full = !args.quick && !args.only && !args.systems;
  const out = args.out ?? (full ? fileURLToPath(new URL('./results.md', import.meta.url)) : null);
  if (out) {
    writeFileSync(out, markdown(rows, main, extra.length ? beyond : null, selected));
    log(`wrote ${out}`);
  } else {
    log('(partial or quick run: results.md not written; pass --out FILE to keep it)');
  }
}

function markdown(rows, main, beyond, selected) {
  const m = machine();
  const sizes = selected.map((c) => `${c.id}: ${c.work}` +
    (mode === 'quick' ? ` (quick: ${Object.entries(c.size.quick).map(([k, v]) => `${k} = ${v}`).join(', ')})` : ''));
  return `# wasmgrad benchmark results

Generated by \`node bench/run.mjs${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\` (${mode} mode)
on ${m.date}. Machine: ${m.model}, ${m.cores} cores, Node ${m.node}. Method: /work/shared/BENCH.md.

Milliseconds per run, median (lower is better); \`startup\` is ms over a bare \`node -e 0\`;
\`bundle\` is gzip -9 bytes. The last column is the best peer's figure divided by wasmgrad's:
above 1, wasmgrad is faster (or smaller). \`fails\`: the system threw; \`wrong\`: its result is
off the float64 reference by more than ${TOLERANCE} (relative to the largest reference value).

${main}
${beyond ? `
## Beyond the suite
Deep compositions at higher orders (bench/lib/cases.mjs, EXTRA_CASES), measured the same way;
BENCH.md's targets apply to the suite above.

${beyond}
` : ''}
## Method
- Inputs: fixed-seed uniform(-1, 1) float32 (bench/lib/data.mjs), the same arrays for every system.
  MLP weights are uniform(-1, 1) scaled by 1/sqrt(fan_in), so that tanh does not saturate.
- Before timing, each result is compared with a float64 reference computed in plain JS
  (bench/lib/reference.mjs): analytic derivatives of tanh, sin and GELU, matmul entries by loops on every
  7th row, the MLP gradients and HVP by a hand-written float64 forward/backward/tangent pass,
  itself checked against central finite differences.
- Warm-up runs: ${cfg.warmups}; then at least ${cfg.runs} runs and ${cfg.seconds} s per system, split over
  ${cfg.rounds} round(s) that alternate the systems; the median. A run includes recording, backward and reading the result
  into a JS typed array, and frees its temporaries (wasmgrad nd.tidy, TF.js tf.tidy/dispose, jax-js
  ownership: arguments by \`.ref\`, results consumed by dataSync).
- All systems in one Node process, single thread: TF.js (bundled by esbuild with its gradients)
  switches backends between turns; jax-js runs on its wasm device.
- Cases:
${sizes.map((c) => `  - ${c}`).join('\n')}

## Relative error of each result (float32 vs the float64 reference)

${errorTable(rows.filter((r) => selected.some((c) => c.id === r.id)), systemNames)}

## Notes
${notes.map((n) => `- ${n}`).join('\n')}
`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
