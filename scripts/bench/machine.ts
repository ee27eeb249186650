// What the figures were measured on.
import { readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  /** File system and device of the temp folder the stores live in. */
  readonly tmpFs: string;
}

/** The /proc/mounts entry with the longest mount point that contains `path` (Linux; "unknown" elsewhere). */
function fileSystemOf(path: string): string {
  try {
    let best: { point: string; text: string } | null = null;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, point, type] = line.split(' ');
      if (device === undefined || point === undefined || type === undefined) continue;
      const inside = path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`);
      if (inside && (best === null || point.length > best.point.length)) best = { point, text: `${type} (${device} on ${point})` };
    }
    return best?.text ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    tmpFs: fileSystemOf(realpathSync(os.tmpdir())),
  };
}

/**
 * The first lines of a section's report: `buran bench (<name>) — <time>`, then the machine and its
 * 1-minute load (at the start and now when `loadAtStart` is given, else now), then a blank line.
 */
export function reportHeader(name: string, machine: MachineInfo, loadAtStart: number | null): string[] {
  const now = (os.loadavg()[0] ?? Number.NaN).toFixed(2);
  const load = loadAtStart === null ? now : `${loadAtStart.toFixed(2)} at start, ${now} at end`;
  return [`buran bench (${name}) — ${new Date().toISOString()}`, `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.kernel}, node ${machine.node}; 1-minute load ${load}`, ''];
}
