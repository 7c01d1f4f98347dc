import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";

import { createIndexerRpc, createRpcClient } from "../../indexer/src/rpc.js";
import {
  RpcRangeTooLargeError,
  RpcRequestRejectedError,
  RpcUnavailableError,
  classifyRpcError,
} from "../../indexer/src/rpc-errors.js";

type Reply = { status: number; body: unknown };

/** A JSON-RPC endpoint that answers each request with the next scripted reply and records what it was asked. */
async function scriptedNode(replies: Reply[]) {
  const methods: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const { id, method } = JSON.parse(raw) as { id: number; method: string };
      methods.push(method);
      const reply = replies.shift() ?? { status: 500, body: "script exhausted" };
      const body = typeof reply.body === "object" ? { jsonrpc: "2.0", id, ...reply.body } : reply.body;
      response.writeHead(reply.status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("indexer RPC client", function () {
  const sleeps: number[] = [];
  const rpcFor = (url: string, attempts = 4) =>
    createIndexerRpc({
      client: createRpcClient(url),
      retry: { attempts, baseDelayMs: 100, maxDelayMs: 250 },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 1,
    });

  beforeEach(function () {
    sleeps.length = 0;
  });

  it("retries a rate-limited request with growing backoff and returns the eventual answer", async function () {
    const node = await scriptedNode([
      { status: 429, body: { error: { code: -32005, message: "rate limited" } } },
      { status: 503, body: "unavailable" },
      { status: 200, body: { result: "0x2a" } },
    ]);
    try {
      expect(await rpcFor(node.url).getHeadNumber()).to.equal(42n);
      expect(node.methods).to.deep.equal(["eth_blockNumber", "eth_blockNumber", "eth_blockNumber"]);
      expect(sleeps).to.deep.equal([100, 200]);
    } finally {
      await node.close();
    }
  });

  it("retries a 429 or 5xx answer whatever JSON-RPC error code its body carries", async function () {
    const node = await scriptedNode([
      { status: 429, body: { error: { code: 429, message: "exceeded its compute units per second" } } },
      { status: 503, body: { error: { code: -32000, message: "upstream unavailable" } } },
      { status: 200, body: { result: "0x7" } },
    ]);
    try {
      expect(await rpcFor(node.url).getHeadNumber()).to.equal(7n);
      expect(node.methods).to.have.length(3);
    } finally {
      await node.close();
    }
  });

  it("does not retry a request the node rejects as bad", async function () {
    const node = await scriptedNode([{ status: 400, body: { error: { code: -32602, message: "invalid params" } } }]);
    try {
      const failure = await rpcFor(node.url)
        .getHeadNumber()
        .catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(RpcRequestRejectedError);
      expect(node.methods).to.have.length(1);
      expect(sleeps).to.deep.equal([]);
    } finally {
      await node.close();
    }
  });

  it("gives up after the last attempt with the number of attempts in the error", async function () {
    const node = await scriptedNode([500, 502, 503].map((status) => ({ status, body: "down" })));
    try {
      const failure = await rpcFor(node.url, 3)
        .getHeadNumber()
        .catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(RpcUnavailableError);
      expect((failure as RpcUnavailableError).attempts).to.equal(3);
      expect(sleeps).to.deep.equal([100, 200]);
    } finally {
      await node.close();
    }
  });

  it("reports a log query over too many blocks as its own error, without retrying", async function () {
    const tooMany = { code: -32005, message: "query returned more than 10000 results" };
    const node = await scriptedNode([{ status: 200, body: { error: tooMany } }]);
    try {
      const failure = await rpcFor(node.url)
        .getLogsInRange(["0x0000000000000000000000000000000000000001"], 0n, 100_000n)
        .catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(RpcRangeTooLargeError);
      expect(node.methods).to.deep.equal(["eth_getLogs"]);
    } finally {
      await node.close();
    }
  });

  it("retries when nothing listens on the port", async function () {
    const node = await scriptedNode([]);
    await node.close();
    const failure = await rpcFor(node.url, 2)
      .getHeadNumber()
      .catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(RpcUnavailableError);
    expect(classifyRpcError((failure as RpcUnavailableError).cause)).to.equal("retryable");
  });
});
