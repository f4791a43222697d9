// What every demo page shares: loading wasmgrad with a clear failure banner, and reporting any
// later error on the page instead of only in the console.
import { init } from 'wasmgrad';

/** Shows a red banner at the top of the page (one per distinct message). */
export function showBanner(message) {
  let banner = document.getElementById('banner');
  if (!banner) {
    banner = document.createElement('div');
    banner.id = 'banner';
    banner.setAttribute('role', 'alert');
    document.body.prepend(banner);
  }
  if ([...banner.children].some((p) => p.textContent === message)) return;
  const line = document.createElement('p');
  line.textContent = message;
  banner.append(line);
}

window.addEventListener('error', (e) => showBanner(`Error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => showBanner(`Error: ${e.reason?.message ?? e.reason}`));

/**
 * init() with the wasm build named by ?wasm=emscripten (default: dist/wasmgrad.wasm, found by
 * js/loader.js). On failure shows a banner saying what to do, and rethrows.
 */
export async function loadWasmgrad() {
  const variant = new URLSearchParams(location.search).get('wasm');
  const wasm = variant === 'emscripten' ? new URL('../../dist/wasmgrad-emscripten.wasm', import.meta.url).href : undefined;
  const status = document.getElementById('status');
  try {
    await init(wasm ? { wasm } : undefined);
    if (status) status.textContent = '';
  } catch (e) {
    const message = `Could not load wasmgrad: ${e.message}. Build it (npm run build → dist/wasmgrad.wasm) and serve the ` +
      'repository root over http (npm run serve), then open /web/.';
    if (status) status.textContent = 'wasmgrad did not load.';
    showBanner(message);
    throw e;
  }
}

/** Runs fn and shows any error it throws in a banner; returns fn's result or undefined. */
export function guarded(fn) {
  try {
    return fn();
  } catch (e) {
    showBanner(`Error: ${e.message}`);
    console.warn(e);
    return undefined;
  }
}

/** Formats a number for display: fixed for moderate magnitudes, exponential otherwise. */
export function fmt(v, digits = 6) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? v.toExponential(digits - 1) : Number(v.toPrecision(digits)).toString();
}
