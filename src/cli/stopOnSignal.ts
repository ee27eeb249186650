// Every way out of `buran run` by a signal — Ctrl-C (SIGINT), a supervisor's
// SIGTERM, a closed terminal's SIGHUP — takes the same path: the first signal
// asks the driver to stop cleanly (writes drained, lock released, workers left
// to their supervisors); the caller waits for that at most `boundMs`, or until
// a second signal, then ends the process by the signal it got (exit 128+n).

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** How long an interrupted `buran run` waits for its driver to stop cleanly (ms). */
export const CLEAN_STOP_MS = 5_000;

/** What of `process` this needs; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
  kill(pid: number, signal: StopSignal): unknown;
  readonly pid: number;
}

export interface SignalStop {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  received(): StopSignal | null;
  /** Resolves when waiting for a clean stop should end: the bound passed, or a second signal came. Never without a first signal. */
  readonly gaveUp: Promise<'timeout' | 'again'>;
  /** Stop listening (the process gets the default action for these signals again). */
  dispose(): void;
  /** Stop listening and end the process by the signal it received. */
  reraise(): void;
}

export function stopOnSignals(options: { readonly boundMs: number; readonly onFirst: (signal: StopSignal) => void; readonly source?: SignalSource }): SignalStop {
  const source: SignalSource = options.source ?? process;
  const controller = new AbortController();
  let first: StopSignal | null = null;
  let timer: NodeJS.Timeout | null = null;
  let giveUp: (why: 'timeout' | 'again') => void = () => undefined;
  const gaveUp = new Promise<'timeout' | 'again'>((resolve) => (giveUp = resolve));
  const listeners = STOP_SIGNALS.map((sig) => {
    const listener = () => {
      if (first !== null) {
        giveUp('again');
        return;
      }
      first = sig;
      timer = setTimeout(() => giveUp('timeout'), options.boundMs);
      options.onFirst(sig);
      controller.abort(sig);
    };
    source.on(sig, listener);
    return [sig, listener] as const;
  });
  const dispose = () => {
    if (timer !== null) clearTimeout(timer);
    for (const [sig, listener] of listeners) source.off(sig, listener);
  };
  return {
    signal: controller.signal,
    received: () => first,
    gaveUp,
    dispose,
    reraise() {
      dispose();
      if (first !== null) source.kill(source.pid, first);
    },
  };
}
