/** A JSON-RPC error answered by the node, with the method that caused it. */
export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    detail: string,
  ) {
    super(`${method} failed (${code}): ${detail}`);
    this.name = new.target.name;
  }
}

export interface JsonRpcCall {
  method: string;
  params: unknown[];
}

/** A bare JSON-RPC client: one call, or many calls in one HTTP request (Hardhat's server answers batches in order). */
export interface JsonRpc {
  call<T>(method: string, params?: unknown[]): Promise<T>;
  batch<T>(calls: readonly JsonRpcCall[]): Promise<T[]>;
}

interface JsonRpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * The load generator sends tens of thousands of transactions; one HTTP request per hundred of them keeps the
 * benchmark's setup at the node's speed rather than at the speed of HTTP round trips.
 */
export function createJsonRpc(url: string): JsonRpc {
  let nextId = 1;
  async function post(calls: readonly JsonRpcCall[]): Promise<unknown[]> {
    const requests = calls.map((call) => ({ jsonrpc: "2.0", id: nextId++, method: call.method, params: call.params }));
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(requests),
    });
    if (!response.ok) throw new Error(`JSON-RPC batch to ${url} answered HTTP ${response.status}`);
    const answers = (await response.json()) as JsonRpcResponse[];
    const byId = new Map(answers.map((answer) => [answer.id, answer]));
    return requests.map((request) => {
      const answer = byId.get(request.id);
      if (answer === undefined) throw new JsonRpcError(request.method, -1, "no answer in the batch");
      if (answer.error !== undefined) {
        throw new JsonRpcError(request.method, answer.error.code, answer.error.message);
      }
      return answer.result;
    });
  }
  return {
    async call<T>(method: string, params: unknown[] = []) {
      const [result] = await post([{ method, params }]);
      return result as T;
    },
    async batch<T>(calls: readonly JsonRpcCall[]) {
      if (calls.length === 0) return [];
      return (await post(calls)) as T[];
    },
  };
}
