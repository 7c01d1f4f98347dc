import { expect } from "chai";

import { nextBlockRange } from "../../indexer/src/block-range.js";
import type { BlockRangePolicy } from "../../indexer/src/block-range.js";

const policy: BlockRangePolicy = { min: 10, max: 1_000, fastMs: 500, maxLogs: 100 };
const fast = (logCount: number) => ({ type: "ok", durationMs: 20, logCount }) as const;

describe("adaptive block range", function () {
  it("doubles while responses are fast and small", function () {
    expect(nextBlockRange(50, fast(3), policy)).to.equal(100);
    expect(nextBlockRange(100, fast(49), policy)).to.equal(200);
  });

  it("never grows past the maximum", function () {
    expect(nextBlockRange(800, fast(0), policy)).to.equal(1_000);
    expect(nextBlockRange(1_000, fast(0), policy)).to.equal(1_000);
  });

  it("keeps its size when a response is slow or half full", function () {
    expect(nextBlockRange(100, { type: "ok", durationMs: 800, logCount: 1 }, policy)).to.equal(100);
    expect(nextBlockRange(100, fast(60), policy)).to.equal(100);
  });

  it("halves when the node refuses the range as too large", function () {
    expect(nextBlockRange(400, { type: "too-large" }, policy)).to.equal(200);
  });

  it("halves after an oversized response, however fast", function () {
    expect(nextBlockRange(400, fast(101), policy)).to.equal(200);
  });

  it("never shrinks below the minimum", function () {
    expect(nextBlockRange(15, { type: "too-large" }, policy)).to.equal(10);
    expect(nextBlockRange(10, { type: "too-large" }, policy)).to.equal(10);
  });
});
