// A static file server for the repository root, so that /web/, /js/ and /dist/ resolve as the
// demo pages expect (no build step, no dependencies).
//   node web/serve.mjs [port]          (npm run serve; PORT=… also works; default 8080)
// Also imported by tests/browser/demos.mjs: serveDirectory(root, port) → a listening http.Server.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.md': 'text/plain; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Serves files below root on 127.0.0.1 (port 0: any free port); resolves once listening. */
export function serveDirectory(root = ROOT, port = 0, host = '127.0.0.1') {
  const server = http.createServer(async (req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8', headers = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    try {
      const { pathname } = new URL(req.url, 'http://localhost');
      let file = path.join(root, path.normalize(decodeURIComponent(pathname)));
      if (file !== root && !file.startsWith(root + path.sep)) return send(403, 'forbidden');
      const info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        if (!pathname.endsWith('/')) return send(301, '', undefined, { location: `${pathname}/` });
        file = path.join(file, 'index.html');
      }
      if (!(await stat(file).catch(() => null))?.isFile()) return send(404, `not found: ${pathname}`);
      send(200, await readFile(file), MIME[path.extname(file)] ?? 'application/octet-stream');
    } catch (e) {
      send(500, String(e));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const server = await serveDirectory(ROOT, port, process.env.HOST ?? '127.0.0.1');
  const { address, port: actual } = server.address();
  console.log(`serving ${ROOT} at http://${address}:${actual}/ — demos: http://${address}:${actual}/web/`);
}
