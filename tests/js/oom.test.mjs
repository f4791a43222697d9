// Out of memory is an OUT_OF_MEMORY WasmgradError, never a crash, and the instance recovers:
// - arrays that wasm32 can never hold (7.2 GB) are refused before allocating anything;
// - arrays that fit the 4 GiB address space in principle but for which the memory cannot
//   grow any more (both builds cap it at 4 GiB) fail in malloc: in creation, in an operator
//   and in the middle of a backward pass;
// after each failure the library keeps working, live arrays keep their values, freed memory
// is reused, and the failed backward can be run again once memory is available.
// It really grows the wasm memory to ~4 GiB (a few seconds, ~4.5 GB resident): skipped on
// machines with less than 8 GB.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { init, nd, autograd } from '../../js/index.js';
import { assertWgError, assertClose, valuesOf } from './helpers/check.mjs';

before(async () => {
  await init();
});

const OOM = /out of memory|more than wasm memory/;
const small = () => nd.tidy(() => valuesOf(nd.arange(4, { dtype: 'float64' }).mul(2).sin()));
const SMALL = [0, 2, 4, 6].map(Math.sin);
/** nd.memory() without wasmBytes (a failed growth may still have grown the memory a little) */
const held = () => {
  const { arrays, bytes, graphBytes } = nd.memory();
  return { arrays, bytes, graphBytes };
};

describe('arrays wasm can never hold', () => {
  test('nd.zeros([30000, 30000], float64): 7.2 GB', () => {
    const before = nd.memory();
    assertWgError(() => nd.zeros([30000, 30000], { dtype: 'float64' }), 'OUT_OF_MEMORY', /nd\.zeros/, /30000,\s*30000/, /7200000000 bytes/);
    assertWgError(() => nd.ones([2 ** 31 - 1, 2]), 'OUT_OF_MEMORY', /nd\.ones/);
    assertWgError(() => nd.random.normal(0, 1, [65536, 65536]), 'OUT_OF_MEMORY', /nd\.random\.normal/);
    assertWgError(() => nd.eye(50000), 'OUT_OF_MEMORY', /nd\.eye/);
    assertWgError(() => nd.arange(0, 1e10), 'OUT_OF_MEMORY', /nd\.arange/);
    // JS data too: refused before making a typed array of that size (that threw a RangeError)
    assertWgError(() => nd.array(new Array(1e6).fill(new Array(1e4))), 'OUT_OF_MEMORY', /nd\.array/, /1000000,\s*10000/);
    assertWgError(() => nd.array(new Array(2 ** 31 - 1)), 'OUT_OF_MEMORY', /nd\.array/);
    assert.deepEqual(nd.memory(), before, 'nothing was allocated');
    assertClose(small(), SMALL, { rtol: 1e-15 });
  });
  test('an operator whose result would be too big', () => {
    nd.tidy(() => {
      const x = nd.ones([1, 65536]);
      const y = nd.ones([65536, 1]);
      assertWgError(() => nd.add(x, y), 'OUT_OF_MEMORY', /add/, /65536,\s*65536/);
      assertWgError(() => nd.broadcastTo(x, [65536, 65536]), 'OUT_OF_MEMORY', /broadcastTo/);
      assertWgError(() => nd.zeros([0]).reshape([0, 2 ** 31 - 1, 2]), 'OUT_OF_MEMORY', /reshape/, /empty/);
      assert.deepEqual(Array.from(x.reshape([-1]).slice([0], [3]).toTypedArray()), [1, 1, 1]);
    });
  });
});

const enoughRam = os.totalmem() >= 8 * 2 ** 30;
describe('memory that cannot grow any more (4 GiB)', { skip: !enoughRam && 'needs 8 GB of RAM' }, () => {
  // big = 16 pieces of (2^31 - 2^24) / 16 bytes: under the 2^31 bytes of one array, and
  // piece + 2 big > 4 GiB, so a second big cannot be allocated while the first lives.
  const PIECE = (2 ** 31 - 2 ** 24) / 16 / 8; // float64 elements
  let piece;
  let big;
  let live; // a small array that must keep its values throughout

  test('the first big array fits, the second cannot grow the memory: OUT_OF_MEMORY', () => {
    live = nd.array([1.5, -2.5, 3.5], { dtype: 'float64' });
    piece = nd.full([PIECE], 0.25, { dtype: 'float64' });
    big = nd.concat(Array(16).fill(piece)); // 2.1 GB, copied with memcpy (fast)
    assert.equal(big.size, 16 * PIECE);
    const grown = nd.memory().wasmBytes;
    assert.ok(grown > 2 ** 31, `wasm memory grew to ${grown} bytes`);
    assertWgError(() => nd.concat(Array(16).fill(piece)), 'OUT_OF_MEMORY', /nd\.concat/, OOM, /dispose\(\)|nd\.tidy/);
    assertWgError(() => nd.full([16 * PIECE], 1, { dtype: 'float64' }), 'OUT_OF_MEMORY', /nd\.full/, OOM);
    assertClose(valuesOf(live), [1.5, -2.5, 3.5], { rtol: 0, what: 'live array' });
    assertClose(small(), SMALL, { rtol: 1e-15 });
  });

  test('an operator that needs more than is left: OUT_OF_MEMORY, inputs unchanged', () => {
    const before = held();
    assertWgError(() => nd.negative(big), 'OUT_OF_MEMORY', /nd\.negative/, OOM);
    assertWgError(() => big.mul(2), 'OUT_OF_MEMORY', /nd\.multiply/, OOM);
    assert.deepEqual(held(), before, 'nothing held after the failures');
    assert.deepEqual(nd.tidy(() => big.slice([16 * PIECE - 2]).toArray()), [0.25, 0.25]);
    assertClose(small(), SMALL, { rtol: 1e-15 });
  });

  test('a backward pass that runs out of memory midway can run again once memory is freed', () => nd.tidy(() => {
    const n = 1e7; // 40 MB: the backward needs at least one more array of that size
    const x = nd.full([n], 3, { dtype: 'float32' }).attachGrad();
    const y = autograd.record(() => x.mul(x).sum());
    // fill what is left: copies of piece (133 MB each), then 4 MB arrays, until OUT_OF_MEMORY
    const filler = [];
    for (const make of [() => nd.concat([piece]), () => nd.zeros([2 ** 20])]) {
      for (;;) {
        try {
          filler.push(make());
        } catch (e) {
          assert.equal(e.code, 'OUT_OF_MEMORY', e.message);
          break;
        }
      }
    }
    filler.splice(-2).forEach((f) => f.dispose()); // 8 MB free
    const before = held();
    assertWgError(() => y.backward(), 'OUT_OF_MEMORY', /backward/, OOM);
    assert.equal(autograd.isRecording(), false);
    assert.deepEqual(held(), before, 'the failed backward freed what it made');
    assert.deepEqual(x.grad.slice([0], [2]).toArray(), [0, 0], 'the gradient was not touched');
    filler.forEach((f) => f.dispose()); // make room
    y.backward(); // the graph was not freed by the failed pass
    assert.deepEqual(x.grad.slice([n - 2]).toArray(), [6, 6], 'd/dx sum(x*x) = 2x');
    assert.equal(y.item(), 9 * n);
  }));

  test('freed memory is reused: the big array can be made again', () => {
    big.dispose();
    big = nd.concat(Array(16).fill(piece));
    assert.deepEqual(nd.tidy(() => big.slice([0], [2]).toArray()), [0.25, 0.25]);
    assert.ok(nd.memory().wasmBytes <= 2 ** 32, 'within 4 GiB');
    big.dispose();
    piece.dispose();
    assertClose(valuesOf(live), [1.5, -2.5, 3.5], { rtol: 0, what: 'live array' });
    live.dispose();
    assertClose(small(), SMALL, { rtol: 1e-15 });
  });
});
