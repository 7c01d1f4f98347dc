import { BaseError, HttpRequestError, TimeoutError } from "viem";

import { ServiceUnavailableError } from "../errors.js";

/**
 * A chain read that failed because the RPC did not answer (refused, timed out) becomes a 503 naming the RPC; any
 * other failure (a revert, a bad answer) is returned as it was, for the caller to map.
 */
export function chainUnreachable(error: unknown, rpcUrl: string): unknown {
  const unreachable =
    error instanceof BaseError &&
    error.walk((cause) => cause instanceof HttpRequestError || cause instanceof TimeoutError) !== null;
  return unreachable ? new ServiceUnavailableError(`The chain RPC at ${rpcUrl} did not answer`) : error;
}
