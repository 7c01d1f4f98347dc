import { BaseError, HttpRequestError, RpcRequestError, TimeoutError } from "viem";

/** What to do about a failed RPC request. */
export type RpcErrorKind = "retryable" | "range-too-large" | "fatal";

/** An RPC request that failed; `kind` says whether trying again could help. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly kind: RpcErrorKind,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = new.target.name;
  }
}

/** The node kept failing in a transient way (timeouts, 429, 5xx, refused connections) through every retry. */
export class RpcUnavailableError extends RpcError {
  constructor(
    readonly method: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${method} failed ${attempts} times in a row: ${describe(cause)}`, "retryable", cause);
  }
}

/** The node refused a log query as too large: the caller must ask for fewer blocks. */
export class RpcRangeTooLargeError extends RpcError {
  constructor(
    readonly method: string,
    cause: unknown,
  ) {
    super(`${method}: the node refused the block range as too large: ${describe(cause)}`, "range-too-large", cause);
  }
}

/** The node rejected the request itself (bad parameters, unknown method, undecodable answer): retrying cannot help. */
export class RpcRequestRejectedError extends RpcError {
  constructor(
    readonly method: string,
    cause: unknown,
  ) {
    super(`${method} was rejected: ${describe(cause)}`, "fatal", cause);
  }
}

// What providers answer when a getLogs query spans too many blocks or matches too many logs.
const RANGE_TOO_LARGE =
  /query returned more than|block range|too many (results|blocks|logs)|response size (is )?(too large|exceeded)|range (is )?too (large|wide)/i;
const CONNECTION_FAILURE = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|fetch failed|other side closed/i;

/** Sorts an error thrown by viem into what the caller should do about it. */
export function classifyRpcError(error: unknown): RpcErrorKind {
  const chain = causes(error);
  const text = chain.map(describe).join(" | ");
  if (RANGE_TOO_LARGE.test(text)) return "range-too-large";
  for (const cause of chain) {
    if (cause instanceof TimeoutError) return "retryable";
    if (cause instanceof HttpRequestError) {
      const status = cause.status;
      return status === undefined || isTransientStatus(status) ? "retryable" : "fatal";
    }
    if (cause instanceof RpcRequestError) {
      // A JSON-RPC error in a 429 or 5xx answer (Alchemy's code 429, a gateway's -32000) is the HTTP status's fault.
      if (cause.status !== undefined && isTransientStatus(cause.status)) return "retryable";
      // -32603 (internal error) and -32005 (rate limited) are transient; other JSON-RPC codes describe a bad request.
      return cause.code === -32603 || cause.code === -32005 ? "retryable" : "fatal";
    }
  }
  return CONNECTION_FAILURE.test(text) ? "retryable" : "fatal";
}

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 16) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function describe(error: unknown): string {
  if (error instanceof BaseError) return `${error.shortMessage} ${error.details ?? ""}`.trim();
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${error.message} (${code})`;
  }
  return String(error);
}
