/** A background job: `runOnce` on demand, and every `intervalMs` unless `schedule` is false. */
export interface PeriodicJob<T> {
  /** Runs the job now, or joins the run in flight: runs never overlap. */
  runOnce(): Promise<T>;
  /** Stops the timer and waits for the run in flight. */
  stop(): Promise<void>;
}

/** Starts `run` on an interval (unref'd, so it never holds the process open); a failed run goes to `onError`. */
export function startPeriodicJob<T>(options: {
  run: () => Promise<T>;
  intervalMs: number;
  /** False: only `runOnce` runs it (tests drive it by hand). */
  schedule?: boolean;
  onError: (error: unknown) => void;
}): PeriodicJob<T> {
  let running: Promise<T> | undefined;

  function runOnce(): Promise<T> {
    running ??= options.run().finally(() => (running = undefined));
    return running;
  }

  const timer =
    options.schedule === false
      ? undefined
      : setInterval(() => {
          runOnce().catch(options.onError);
        }, options.intervalMs);
  timer?.unref();

  return {
    runOnce,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
