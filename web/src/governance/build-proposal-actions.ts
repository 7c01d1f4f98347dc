import { encodeFunctionData, isAddress, parseUnits, zeroAddress } from "viem";
import type { Abi, AbiFunction, Address, Hex } from "viem";

import type { GovernanceParameters } from "../../../protocol/api/governance";
import type { ContractCall } from "../../../protocol/contract-call";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls";
import {
  agriGovernorAbi,
  agriTimelockAbi,
  agriTokenAbi,
  marketplaceEscrowAbi,
  marketplaceEscrowConstants,
  mockUSDCAbi,
} from "../../../protocol/generated/contracts";
import { tokenCalls } from "../../../protocol/token-calls";
import type { TreasuryAsset } from "./use-treasury";

/** The ABIs a raw call may be encoded with, by contract name. */
export const RAW_CALL_ABIS = {
  MarketplaceEscrow: marketplaceEscrowAbi,
  AgriGovernor: agriGovernorAbi,
  AgriTimelock: agriTimelockAbi,
  AgriToken: agriTokenAbi,
  MockUSDC: mockUSDCAbi,
} as const satisfies Record<string, Abi>;

export type RawCallContract = keyof typeof RAW_CALL_ABIS;

/** What one step of the proposal builder asks for, as the user typed it. */
export type ActionDraft =
  | { kind: "fee"; percent: string }
  | { kind: "windows"; shipHours: string; confirmHours: string; arbitrationHours: string }
  | { kind: "paymentToken"; token: string; allowed: boolean }
  | { kind: "arbiter"; account: string; appoint: boolean }
  | { kind: "guardian"; account: string }
  | { kind: "transfer"; asset: string; to: string; amount: string }
  | { kind: "raw"; contract: RawCallContract; target: string; signature: string; args: string[]; value: string };

export type ActionKind = ActionDraft["kind"];

/** One call of a proposal, as `Governor.propose` takes it. */
export interface ProposalCall {
  target: Address;
  value: bigint;
  calldata: Hex;
}

/** An amount of a token in its smallest units, for a message to show in the reader's language. */
export interface TokenAmount {
  units: bigint;
  symbol: string;
  decimals: number;
}

/** Why a draft cannot be encoded: the translation key of the message and the values it names. */
export class DraftError extends Error {
  constructor(
    readonly key: string,
    readonly values: Readonly<Record<string, number | TokenAmount>> = {},
  ) {
    super(key);
  }
}

const {
  ARBITER_ROLE,
  GUARDIAN_ROLE,
  MAX_FEE_BPS,
  MIN_WINDOW,
  MAX_WINDOW,
  MIN_ARBITRATION_TIMEOUT,
  MAX_ARBITRATION_TIMEOUT,
} = marketplaceEscrowConstants;

/** A blank draft of each kind, for the builder's "add action" picker. */
export function emptyDraft(kind: ActionKind): ActionDraft {
  switch (kind) {
    case "fee":
      return { kind, percent: "" };
    case "windows":
      return { kind, shipHours: "", confirmHours: "", arbitrationHours: "" };
    case "paymentToken":
      return { kind, token: "", allowed: true };
    case "arbiter":
      return { kind, account: "", appoint: true };
    case "guardian":
      return { kind, account: "" };
    case "transfer":
      return { kind, asset: "ETH", to: "", amount: "" };
    case "raw":
      return { kind, contract: "MarketplaceEscrow", target: "", signature: "", args: [], value: "0" };
  }
}

/** The state-changing functions of a raw-call ABI, by their signature (overloads stay apart). */
export function writableFunctions(contract: RawCallContract): { signature: string; fn: AbiFunction }[] {
  return (RAW_CALL_ABIS[contract] as Abi)
    .filter(
      (item): item is AbiFunction =>
        item.type === "function" && (item.stateMutability === "nonpayable" || item.stateMutability === "payable"),
    )
    .map((fn) => ({ signature: `${fn.name}(${fn.inputs.map((input) => input.type).join(",")})`, fn }));
}

function address(text: string): Address {
  const trimmed = text.trim();
  if (!isAddress(trimmed, { strict: false })) throw new DraftError("governance.builder.errors.address");
  return trimmed.toLowerCase() as Address;
}

/** An account to appoint, allow or pay: the zero address is refused by the escrow or would lose what it is given. */
function account(text: string): Address {
  const parsed = address(text);
  if (parsed === zeroAddress) throw new DraftError("governance.builder.errors.zeroAddress");
  return parsed;
}

/** Hours as whole seconds; whether they fit the escrow's windows is checkWindows' to say. */
function hoursToSeconds(text: string): number {
  const hours = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(hours) || hours <= 0)
    throw new DraftError("governance.builder.errors.number");
  return Math.round(hours * 3_600);
}

/** The escrow's `_setTerms` bounds: a fee above MAX_FEE_BPS or a window outside its range reverts at execution. */
function checkFee(feeBps: number): void {
  if (feeBps > MAX_FEE_BPS) throw new DraftError("governance.builder.errors.feeAboveCap", { max: MAX_FEE_BPS / 100 });
}

const RANGE_KEYS = {
  window: {
    hours: "governance.builder.errors.windowRange.hours",
    seconds: "governance.builder.errors.windowRange.seconds",
  },
  arbitration: {
    hours: "governance.builder.errors.arbitrationRange.hours",
    seconds: "governance.builder.errors.arbitrationRange.seconds",
  },
} as const;

/** setWindows' arguments (ship, confirm, arbitration, in seconds), the message's bounds in the unit they were typed in. */
function checkWindows(seconds: readonly [number, number, number], unit: "hours" | "seconds"): void {
  const bounds = [
    ["window", MIN_WINDOW, MAX_WINDOW],
    ["window", MIN_WINDOW, MAX_WINDOW],
    ["arbitration", MIN_ARBITRATION_TIMEOUT, MAX_ARBITRATION_TIMEOUT],
  ] as const;
  seconds.forEach((value, index) => {
    const [kind, min, max] = bounds[index];
    if (value >= min && value <= max) return;
    const scale = unit === "hours" ? 3_600 : 1;
    throw new DraftError(RANGE_KEYS[kind][unit], { min: min / scale, max: max / scale });
  });
}

/**
 * The limits a raw call to the escrow or the governor must respect to execute: the escrow's terms and payment tokens
 * as above, and the governor's settings (a voting period and a proposal threshold above zero, a quorum numerator at
 * most its denominator).
 */
function checkRawCall(
  contract: RawCallContract,
  functionName: string,
  args: readonly unknown[],
  parameters: GovernanceParameters,
): void {
  switch (`${contract}.${functionName}`) {
    case "MarketplaceEscrow.setFee":
      return checkFee(Number(args[0]));
    case "MarketplaceEscrow.setWindows":
      return checkWindows([Number(args[0]), Number(args[1]), Number(args[2])], "seconds");
    case "MarketplaceEscrow.setPaymentToken":
      if (args[0] === zeroAddress) throw new DraftError("governance.builder.errors.zeroAddress");
      return;
    case "AgriGovernor.setVotingPeriod":
      if (args[0] === 0n) throw new DraftError("governance.builder.errors.votingPeriod");
      return;
    case "AgriGovernor.setProposalThreshold":
      if (args[0] === 0n) throw new DraftError("governance.builder.errors.proposalThreshold");
      return;
    case "AgriGovernor.updateQuorumNumerator": {
      const denominator = Number(parameters.governor.quorumDenominator);
      if ((args[0] as bigint) > BigInt(denominator)) {
        throw new DraftError("governance.builder.errors.quorumNumerator", { max: denominator });
      }
      return;
    }
  }
}

/** One typed argument of a raw call from its text: numbers, booleans, addresses, bytes, strings, or JSON. */
function parseArgument(type: string, text: string): unknown {
  const trimmed = text.trim();
  if (type.endsWith("]") || type.startsWith("tuple")) {
    try {
      return JSON.parse(trimmed, (_key, value: unknown) =>
        typeof value === "string" && /^-?[0-9]+$/.test(value) ? BigInt(value) : value,
      );
    } catch {
      throw new DraftError("governance.builder.errors.json");
    }
  }
  if (/^u?int[0-9]*$/.test(type)) {
    if (!/^-?[0-9]+$/.test(trimmed)) throw new DraftError("governance.builder.errors.number");
    return BigInt(trimmed);
  }
  if (type === "bool") {
    if (trimmed !== "true" && trimmed !== "false") throw new DraftError("governance.builder.errors.bool");
    return trimmed === "true";
  }
  if (type === "address") return address(trimmed);
  if (type.startsWith("bytes")) {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(trimmed)) throw new DraftError("governance.builder.errors.hex");
    return trimmed;
  }
  return text;
}

/**
 * Encodes a draft into the calls it stands for. Setting a guardian appoints the new one and removes those in office,
 * so the escrow keeps exactly one. Throws DraftError when an input is not valid, or when the call would revert when
 * the passed proposal is executed (a limit of the contract, or more than the treasury holds).
 */
export function buildProposalCalls(
  draft: ActionDraft,
  parameters: GovernanceParameters,
  assets: readonly TreasuryAsset[],
): ProposalCall[] {
  const escrow = (): Address => {
    if (parameters.platform.escrow === null) throw new DraftError("governance.builder.errors.noEscrow");
    return parameters.platform.escrow;
  };
  const proposalCall = (call: ContractCall): ProposalCall => ({
    target: call.to,
    value: call.value,
    calldata: call.data,
  });
  switch (draft.kind) {
    case "fee": {
      const percent = Number(draft.percent.trim());
      if (draft.percent.trim() === "" || !Number.isFinite(percent) || percent < 0) {
        throw new DraftError("governance.builder.errors.percent");
      }
      const feeBps = Math.round(percent * 100);
      checkFee(feeBps);
      return [proposalCall(escrowCalls.setFee(escrow(), feeBps))];
    }
    case "windows": {
      const args = [
        hoursToSeconds(draft.shipHours),
        hoursToSeconds(draft.confirmHours),
        hoursToSeconds(draft.arbitrationHours),
      ] as const;
      checkWindows(args, "hours");
      const [shipWindow, confirmWindow, arbitrationTimeout] = args;
      return [proposalCall(escrowCalls.setWindows(escrow(), { shipWindow, confirmWindow, arbitrationTimeout }))];
    }
    case "paymentToken": {
      const token = account(draft.token);
      return [proposalCall(escrowCalls.setPaymentToken(escrow(), token, draft.allowed))];
    }
    case "arbiter": {
      const appointee = account(draft.account);
      return [
        proposalCall(
          draft.appoint
            ? escrowCalls.grantRole(escrow(), ARBITER_ROLE, appointee)
            : escrowCalls.revokeRole(escrow(), ARBITER_ROLE, appointee),
        ),
      ];
    }
    case "guardian": {
      const next = account(draft.account);
      const grant = proposalCall(escrowCalls.grantRole(escrow(), GUARDIAN_ROLE, next));
      const revokes = parameters.platform.guardians
        .filter((current) => current !== next)
        .map((current) => proposalCall(escrowCalls.revokeRole(escrow(), GUARDIAN_ROLE, current)));
      return [grant, ...revokes];
    }
    case "transfer": {
      const to = account(draft.to);
      const asset = assets.find((candidate) => (candidate.token ?? "ETH") === draft.asset);
      if (asset === undefined) throw new DraftError("governance.builder.errors.asset");
      let amount: bigint;
      try {
        amount = parseUnits(draft.amount.trim(), asset.decimals);
      } catch {
        throw new DraftError("governance.builder.errors.amount");
      }
      if (amount <= 0n) throw new DraftError("governance.builder.errors.amount");
      if (amount > asset.balance) {
        throw new DraftError("governance.builder.errors.aboveBalance", {
          balance: { units: asset.balance, symbol: asset.symbol, decimals: asset.decimals },
        });
      }
      if (asset.token === null) return [{ target: to, value: amount, calldata: "0x" }];
      return [proposalCall(tokenCalls.transfer(asset.token, to, amount))];
    }
    case "raw": {
      const entry = writableFunctions(draft.contract).find((candidate) => candidate.signature === draft.signature);
      if (entry === undefined) throw new DraftError("governance.builder.errors.function");
      const args = entry.fn.inputs.map((input, index) => parseArgument(input.type, draft.args[index] ?? ""));
      checkRawCall(draft.contract, entry.fn.name, args, parameters);
      let value: bigint;
      try {
        value = parseUnits(draft.value.trim() === "" ? "0" : draft.value.trim(), 18);
      } catch {
        throw new DraftError("governance.builder.errors.amount");
      }
      let calldata: Hex;
      try {
        calldata = encodeFunctionData({ abi: [entry.fn], functionName: entry.fn.name, args });
      } catch {
        throw new DraftError("governance.builder.errors.encode");
      }
      return [{ target: address(draft.target), value, calldata }];
    }
  }
}
