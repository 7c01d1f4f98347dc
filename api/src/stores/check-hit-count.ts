import { MAX_HITS_PER_CALL } from "./store.js";

/** Refuses a hit count no limiter accepts: a programming error, not a client's. */
export function checkHitCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_HITS_PER_CALL) {
    throw new RangeError(`A rate-limit hit records 1 to ${MAX_HITS_PER_CALL} hits, not ${count}`);
  }
}
