// Formatting: the stdout table and bench/results.md.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/** 3 significant digits, no exponent: 0.743, 8.66, 37.1, 155. */
export const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : String(Number(ms.toPrecision(3))));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`; // KB = 1000 B, as in BENCH.md
const sci = (x) => (Number.isFinite(x) ? x.toExponential(1) : String(x));

/** A result cell: { ms } | { bytes } | { status: 'fails' | 'wrong', ... } | undefined. */
export function cell(r) {
  if (!r) return '';
  if (r.status === 'fails') return 'fails';
  if (r.status === 'wrong') return `wrong (err ${sci(r.err)})`;
  return r.bytes !== undefined ? kb(r.bytes) : fmt(r.ms);
}

const value = (r) => (r?.status ? undefined : r?.bytes ?? r?.ms);

/** best peer / wasmgrad (>1: wasmgrad is faster or smaller), with the best peer's name. */
export function ratio(row, peers) {
  const own = value(row.wasmgrad);
  if (own === undefined) return row.wasmgrad ? 'wasmgrad ' + cell(row.wasmgrad).split(' ')[0] : '';
  const best = peers.map((p) => [p, value(row[p])]).filter(([, v]) => v !== undefined).sort((a, b) => a[1] - b[1])[0];
  return best ? `${(best[1] / own).toFixed(2)} (${best[0]})` : 'no peer';
}

/** Markdown table; `rows` is [{ id, results: { system: result } }]. */
export function table(rows, systems) {
  const peers = systems.filter((s) => s !== 'wasmgrad');
  const head = ['case', ...systems, ...(systems.includes('wasmgrad') ? ['best peer / wasmgrad'] : [])];
  const lines = [head, head.map((_, i) => (i === 0 ? '---' : '---:'))];
  for (const { id, results } of rows) {
    const cells = systems.map((s) => cell(results[s]));
    lines.push([id, ...cells, ...(systems.includes('wasmgrad') ? [ratio(results, peers)] : [])]);
  }
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

/** The relative error of every checked result, as a second table. */
export function errorTable(rows, systems) {
  const lines = [['case', ...systems], ['---', ...systems.map(() => '---:')]];
  for (const { id, results } of rows) {
    if (!results[systems[0]] && !systems.some((s) => results[s]?.err !== undefined)) continue;
    lines.push([id, ...systems.map((s) => (results[s]?.err !== undefined ? sci(results[s].err) : results[s]?.status ?? ''))]);
  }
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

export function machine() {
  const lscpu = spawnSync('lscpu', { encoding: 'utf8' }).stdout ?? '';
  const model = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { model, cores: cpus().length, node: process.version, date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' };
}
