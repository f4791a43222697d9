// One startup sample: import the system, init it, compute a first 3-element sin, print it, exit.
// A synchronous write to fd 1: process.stdout on a pipe costs every system a few ms of its own.
import { writeSync } from 'node:fs';
import { loadSystem } from './systems/registry.mjs';

const system = await loadSystem(process.argv[2]);
await system.load();
writeSync(1, JSON.stringify(Array.from(system.sin3())));
