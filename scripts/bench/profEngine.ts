import { steppedRun } from './flat.js';
const n = Number(process.argv[2] ?? 10000);
const stop = Number(process.argv[3] ?? 5000);
const r = await steppedRun(`p-${n}`, n, stop);
console.log(JSON.stringify(r.engine));
