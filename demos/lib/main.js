// Node helpers for the demo scripts.
import { pathToFileURL } from 'node:url';

/** True when the module at `url` (pass import.meta.url) is the script Node was started with. */
export function isMain(url) {
  return Boolean(process.argv[1]) && url === pathToFileURL(process.argv[1]).href;
}
