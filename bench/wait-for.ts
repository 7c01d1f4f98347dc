import { setTimeout as delay } from "node:timers/promises";

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined, and resolves that value; rejects
 * naming `what` after `timeoutMs`, or once `signal` aborts (so a wait that lost a race stops polling). A check that
 * throws counts as not yet: a server still starting refuses connections.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 10, signal }: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs, undefined, { signal });
  }
}
