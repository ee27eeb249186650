// 5. The disk's durability floor: one small write + fsync, and one durable
// replace (temp file, fsync, rename, fsync of the folder) as the store does it.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileDurable } from '../../src/store/index.js';
import { summary } from './stats.js';

export interface FsyncFloor {
  readonly n: number;
  readonly writeFsyncMedianMs: number;
  readonly writeFsyncP95Ms: number;
  readonly durableReplaceN: number;
  readonly durableReplaceMedianMs: number;
  readonly durableReplaceP95Ms: number;
}

export async function measureFsyncFloor(n: number, replaceN: number): Promise<FsyncFloor> {
  const dir = mkdtempSync(join(tmpdir(), 'buran-bench-fsync-'));
  try {
    const payload = Buffer.alloc(100, 0x61);
    const fd = openSync(join(dir, 'floor.bin'), 'w');
    const sync: number[] = [];
    try {
      for (let i = 0; i < n; i += 1) {
        const t0 = performance.now();
        writeSync(fd, payload);
        fsyncSync(fd);
        sync.push(performance.now() - t0);
      }
    } finally {
      closeSync(fd);
    }
    const replace: number[] = [];
    for (let i = 0; i < replaceN; i += 1) {
      const t0 = performance.now();
      await writeFileDurable(join(dir, 'doc.json'), payload);
      replace.push(performance.now() - t0);
    }
    const s = summary(sync);
    const r = summary(replace);
    return { n, writeFsyncMedianMs: s.median, writeFsyncP95Ms: s.p95, durableReplaceN: replaceN, durableReplaceMedianMs: r.median, durableReplaceP95Ms: r.p95 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
