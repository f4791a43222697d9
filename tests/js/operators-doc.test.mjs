// docs/operators.md is generated from the test tables and measurements of the build under test
// (helpers/operators-doc.mjs): render it again, keep the result in test-results/, and fail when
// the committed file differs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { init } from '../../js/index.js';
import { renderOperatorsDoc, DOC_PATH, REGENERATE } from './helpers/operators-doc.mjs';

const ROOT = new URL('../../', import.meta.url);
const FRESH = 'test-results/operators.md';

before(async () => {
  await init();
});

test(`${DOC_PATH} is up to date`, () => {
  const fresh = renderOperatorsDoc();
  mkdirSync(new URL('test-results/', ROOT), { recursive: true });
  writeFileSync(new URL(FRESH, ROOT), fresh);
  const path = new URL(DOC_PATH, ROOT);
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (committed === fresh) return;
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = b.findIndex((l, i) => l !== a[i]);
  assert.fail(`${DOC_PATH} is stale: run \`${REGENERATE}\` and commit it (the fresh copy is ${FRESH}).\n` +
    `first difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  fresh:     ${b[line] ?? '(end of file)'}`);
});
