// One startup sample: import the system, init it, compute a first 3-element sin, print it, exit.
import { loadSystem } from './systems/registry.mjs';

const system = await loadSystem(process.argv[2]);
await system.load();
process.stdout.write(JSON.stringify(Array.from(system.sin3())));
