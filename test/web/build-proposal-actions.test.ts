import path from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import { decodeFunctionData, parseEther, zeroAddress } from "viem";
import type { Hex } from "viem";

import {
  agriGovernorAbi,
  marketplaceEscrowAbi,
  marketplaceEscrowConstants,
} from "../../protocol/generated/contracts.js";

type Draft = Record<string, unknown> & { kind: string };

interface BuilderModule {
  buildProposalCalls(
    draft: Draft,
    parameters: unknown,
    assets: unknown[],
  ): { target: string; value: bigint; calldata: Hex }[];
  DraftError: abstract new (key: string) => DraftErrorShape;
}

interface DraftErrorShape extends Error {
  key: string;
  values: Record<string, unknown>;
}

const ESCROW = "0x00000000000000000000000000000000000e5c00";
const GOVERNOR = "0x0000000000000000000000000000000000060700";
const USDC = "0x0000000000000000000000000000000000005dc0";
const SOMEONE = "0x1111111111111111111111111111111111111111";

const PARAMETERS = {
  governor: {
    address: GOVERNOR,
    token: "0x00000000000000000000000000000000000a9100",
    timelock: "0x0000000000000000000000000000000000071e00",
    votingDelay: "1",
    votingPeriod: "300",
    proposalThreshold: "1",
    quorumNumerator: "4",
    quorumDenominator: "100",
    quorum: "1",
    lateQuorumVoteExtension: "60",
    timelockDelay: "60",
  },
  platform: {
    terms: null,
    escrow: ESCROW,
    paymentTokens: [USDC],
    paused: false,
    arbiters: [],
    guardians: [],
  },
  asOf: "0",
};

const ASSETS = [
  { token: null, symbol: "ETH", decimals: 18, balance: parseEther("2") },
  { token: USDC, symbol: "USDC", decimals: 6, balance: 500_000_000n },
];

const { MAX_FEE_BPS, MIN_WINDOW, MAX_WINDOW, MIN_ARBITRATION_TIMEOUT, MAX_ARBITRATION_TIMEOUT } =
  marketplaceEscrowConstants;

// The builder is web code (bundler module resolution): loaded at run time, so the API's compiler never follows it.
const builder = (await import(
  pathToFileURL(path.resolve("web/src/governance/build-proposal-actions.ts")).href
)) as BuilderModule;

function build(draft: Draft) {
  return builder.buildProposalCalls(draft, PARAMETERS, ASSETS);
}

/** The translation key and values the builder refuses `draft` with. */
function refusal(draft: Draft): { key: string; values: Record<string, unknown> } {
  try {
    build(draft);
  } catch (error) {
    expect(error).to.be.instanceOf(builder.DraftError);
    const { key, values } = error as DraftErrorShape;
    return { key, values };
  }
  throw new Error(`expected ${JSON.stringify(draft)} to be refused`);
}

function escrowArgs(calldata: Hex) {
  return decodeFunctionData({ abi: marketplaceEscrowAbi, data: calldata });
}

const windows = (shipHours: number, confirmHours: number, arbitrationHours: number): Draft => ({
  kind: "windows",
  shipHours: String(shipHours),
  confirmHours: String(confirmHours),
  arbitrationHours: String(arbitrationHours),
});

describe("The proposal builder's limits (the escrow's and the governor's, from the generated constants)", function () {
  it("accepts the fee cap itself and refuses anything above it, naming the cap", function () {
    const [call] = build({ kind: "fee", percent: String(MAX_FEE_BPS / 100) });
    expect(escrowArgs(call.calldata)).to.deep.include({ functionName: "setFee", args: [MAX_FEE_BPS] });
    expect(refusal({ kind: "fee", percent: String((MAX_FEE_BPS + 1) / 100) })).to.deep.equal({
      key: "governance.builder.errors.feeAboveCap",
      values: { max: MAX_FEE_BPS / 100 },
    });
    expect(refusal({ kind: "fee", percent: "100" }).key).to.equal("governance.builder.errors.feeAboveCap");
    expect(refusal({ kind: "fee", percent: "-1" }).key).to.equal("governance.builder.errors.percent");
  });

  it("accepts windows at both bounds and refuses each one outside them, in hours", function () {
    const hours = (seconds: number) => seconds / 3_600;
    for (const [low, high] of [
      [hours(MIN_WINDOW), hours(MIN_ARBITRATION_TIMEOUT)],
      [hours(MAX_WINDOW), hours(MAX_ARBITRATION_TIMEOUT)],
    ]) {
      const [call] = build(windows(low, low, high));
      expect(escrowArgs(call.calldata)).to.deep.include({
        functionName: "setWindows",
        args: [low * 3_600, low * 3_600, high * 3_600],
      });
    }
    const windowRange = {
      key: "governance.builder.errors.windowRange.hours",
      values: { min: hours(MIN_WINDOW), max: hours(MAX_WINDOW) },
    };
    const arbitrationRange = {
      key: "governance.builder.errors.arbitrationRange.hours",
      values: { min: hours(MIN_ARBITRATION_TIMEOUT), max: hours(MAX_ARBITRATION_TIMEOUT) },
    };
    const fine = hours(MIN_ARBITRATION_TIMEOUT);
    expect(refusal(windows(hours(MIN_WINDOW - 1), fine, fine))).to.deep.equal(windowRange);
    expect(refusal(windows(fine, hours(MAX_WINDOW) + 1, fine))).to.deep.equal(windowRange);
    expect(refusal(windows(fine, fine, hours(MIN_ARBITRATION_TIMEOUT - 1)))).to.deep.equal(arbitrationRange);
    expect(refusal(windows(fine, fine, hours(MAX_ARBITRATION_TIMEOUT) + 1))).to.deep.equal(arbitrationRange);
  });

  it("holds raw escrow and governor calls to the same limits, in the call's own units", function () {
    const raw = (contract: string, signature: string, args: string[]): Draft => ({
      kind: "raw",
      contract,
      target: contract === "AgriGovernor" ? GOVERNOR : ESCROW,
      signature,
      args,
      value: "0",
    });
    expect(build(raw("MarketplaceEscrow", "setFee(uint16)", [String(MAX_FEE_BPS)]))).to.have.length(1);
    expect(refusal(raw("MarketplaceEscrow", "setFee(uint16)", [String(MAX_FEE_BPS + 1)])).key).to.equal(
      "governance.builder.errors.feeAboveCap",
    );
    const setWindows = "setWindows(uint32,uint32,uint32)";
    expect(
      build(raw("MarketplaceEscrow", setWindows, [MIN_WINDOW, MAX_WINDOW, MAX_ARBITRATION_TIMEOUT].map(String))),
    ).to.have.length(1);
    expect(
      refusal(raw("MarketplaceEscrow", setWindows, [MIN_WINDOW, MAX_WINDOW, MAX_ARBITRATION_TIMEOUT + 1].map(String))),
    ).to.deep.equal({
      key: "governance.builder.errors.arbitrationRange.seconds",
      values: { min: MIN_ARBITRATION_TIMEOUT, max: MAX_ARBITRATION_TIMEOUT },
    });
    expect(refusal(raw("MarketplaceEscrow", "setPaymentToken(address,bool)", [zeroAddress, "true"])).key).to.equal(
      "governance.builder.errors.zeroAddress",
    );
    expect(refusal(raw("AgriGovernor", "setVotingPeriod(uint32)", ["0"])).key).to.equal(
      "governance.builder.errors.votingPeriod",
    );
    expect(refusal(raw("AgriGovernor", "setProposalThreshold(uint256)", ["0"])).key).to.equal(
      "governance.builder.errors.proposalThreshold",
    );
    expect(refusal(raw("AgriGovernor", "updateQuorumNumerator(uint256)", ["101"]))).to.deep.equal({
      key: "governance.builder.errors.quorumNumerator",
      values: { max: 100 },
    });
    const [quorum] = build(raw("AgriGovernor", "updateQuorumNumerator(uint256)", ["100"]));
    expect(decodeFunctionData({ abi: agriGovernorAbi, data: quorum.calldata }).args).to.deep.equal([100n]);
  });

  it("refuses the zero address where the escrow reverts or the treasury would lose it, and more than the treasury holds", function () {
    for (const draft of [
      { kind: "paymentToken", token: zeroAddress, allowed: true },
      { kind: "arbiter", account: zeroAddress, appoint: true },
      { kind: "guardian", account: zeroAddress },
      { kind: "transfer", asset: "ETH", to: zeroAddress, amount: "1" },
    ]) {
      expect(refusal(draft).key, draft.kind).to.equal("governance.builder.errors.zeroAddress");
    }
    const [all] = build({ kind: "transfer", asset: USDC, to: SOMEONE, amount: "500" });
    expect(all.target).to.equal(USDC);
    expect(refusal({ kind: "transfer", asset: USDC, to: SOMEONE, amount: "500.000001" })).to.deep.equal({
      key: "governance.builder.errors.aboveBalance",
      values: { balance: { units: 500_000_000n, symbol: "USDC", decimals: 6 } },
    });
    expect(refusal({ kind: "transfer", asset: "ETH", to: SOMEONE, amount: "2.1" }).key).to.equal(
      "governance.builder.errors.aboveBalance",
    );
  });
});
