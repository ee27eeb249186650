// The signal path of `buran run`, on an EventEmitter standing in for the process.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type SignalSource, type StopSignal, STOP_SIGNALS, stopOnSignals } from '../../src/cli/stopOnSignal.js';

function fakeProcess() {
  const emitter = new EventEmitter();
  const killed: StopSignal[] = [];
  const source: SignalSource = {
    pid: 4242,
    on: (sig, listener) => emitter.on(sig, listener),
    off: (sig, listener) => emitter.off(sig, listener),
    kill: (_pid, sig) => killed.push(sig),
  };
  return { emitter, source, killed };
}

describe('stopping buran run by a signal', () => {
  it.each(STOP_SIGNALS)('%s aborts the drive once, restores the terminal first, and is raised again at the end', (sig) => {
    const { emitter, source, killed } = fakeProcess();
    const order: string[] = [];
    const stop = stopOnSignals({ boundMs: 10_000, source, onFirst: (s) => order.push(`restore ${s}`) });
    stop.signal.addEventListener('abort', () => order.push('abort'));
    expect(stop.received()).toBeNull();
    emitter.emit(sig);
    expect(order).toEqual([`restore ${sig}`, 'abort']);
    expect(stop.received()).toBe(sig);
    stop.reraise();
    expect(killed).toEqual([sig]);
    // Listening ended: the process has the default action again.
    expect(STOP_SIGNALS.map((s) => emitter.listenerCount(s))).toEqual([0, 0, 0]);
  });

  it('gives up waiting when the bound passes', async () => {
    const { emitter, source } = fakeProcess();
    const stop = stopOnSignals({ boundMs: 20, source, onFirst: () => undefined });
    emitter.emit('SIGTERM');
    await expect(stop.gaveUp).resolves.toBe('timeout');
    stop.dispose();
  });

  it('gives up waiting at a second signal', async () => {
    const { emitter, source } = fakeProcess();
    const stop = stopOnSignals({ boundMs: 10_000, source, onFirst: () => undefined });
    emitter.emit('SIGINT');
    emitter.emit('SIGINT');
    await expect(stop.gaveUp).resolves.toBe('again');
    stop.dispose();
  });

  it('never gives up, aborts or raises anything without a signal', async () => {
    const { emitter, source, killed } = fakeProcess();
    const stop = stopOnSignals({ boundMs: 5, source, onFirst: () => undefined });
    const raced = await Promise.race([stop.gaveUp, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 30))]);
    expect(raced).toBe('still waiting');
    expect(stop.signal.aborted).toBe(false);
    stop.reraise();
    expect(killed).toEqual([]);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });
});
