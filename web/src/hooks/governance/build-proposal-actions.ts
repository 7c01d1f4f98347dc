import { encodeFunctionData, isAddress, keccak256, parseUnits, toHex } from "viem";
import type { Abi, AbiFunction, Address, Hex } from "viem";

import {
  agriGovernorAbi,
  agriTimelockAbi,
  agriTokenAbi,
  marketplaceEscrowAbi,
  mockUSDCAbi,
} from "../../../../deploy/generated/contracts";
import type { GovernanceParameters } from "./governance-api-types";
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

/** Why a draft cannot be encoded, as the translation key of the message. */
export class DraftError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

const ARBITER_ROLE = keccak256(toHex("ARBITER_ROLE"));
const GUARDIAN_ROLE = keccak256(toHex("GUARDIAN_ROLE"));

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

function wholeNumber(text: string, max: number): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(value) || value < 0 || value > max)
    throw new DraftError("governance.builder.errors.number");
  return value;
}

function hoursToSeconds(text: string): number {
  const hours = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(hours) || hours <= 0)
    throw new DraftError("governance.builder.errors.number");
  return wholeNumber(String(Math.round(hours * 3_600)), 2 ** 32 - 1);
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
 * so the escrow keeps exactly one. Throws DraftError when an input is not valid.
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
  const escrowCall = (calldata: Hex): ProposalCall => ({ target: escrow(), value: 0n, calldata });
  switch (draft.kind) {
    case "fee": {
      const percent = Number(draft.percent.trim());
      if (draft.percent.trim() === "" || !Number.isFinite(percent) || percent < 0 || percent > 100) {
        throw new DraftError("governance.builder.errors.percent");
      }
      const feeBps = Math.round(percent * 100);
      return [escrowCall(encodeFunctionData({ abi: marketplaceEscrowAbi, functionName: "setFee", args: [feeBps] }))];
    }
    case "windows": {
      const args = [
        hoursToSeconds(draft.shipHours),
        hoursToSeconds(draft.confirmHours),
        hoursToSeconds(draft.arbitrationHours),
      ] as const;
      return [escrowCall(encodeFunctionData({ abi: marketplaceEscrowAbi, functionName: "setWindows", args }))];
    }
    case "paymentToken":
      return [
        escrowCall(
          encodeFunctionData({
            abi: marketplaceEscrowAbi,
            functionName: "setPaymentToken",
            args: [address(draft.token), draft.allowed],
          }),
        ),
      ];
    case "arbiter":
      return [
        escrowCall(
          encodeFunctionData({
            abi: marketplaceEscrowAbi,
            functionName: draft.appoint ? "grantRole" : "revokeRole",
            args: [ARBITER_ROLE, address(draft.account)],
          }),
        ),
      ];
    case "guardian": {
      const next = address(draft.account);
      const grant = escrowCall(
        encodeFunctionData({ abi: marketplaceEscrowAbi, functionName: "grantRole", args: [GUARDIAN_ROLE, next] }),
      );
      const revokes = parameters.platform.guardians
        .filter((current) => current !== next)
        .map((current) =>
          escrowCall(
            encodeFunctionData({
              abi: marketplaceEscrowAbi,
              functionName: "revokeRole",
              args: [GUARDIAN_ROLE, current],
            }),
          ),
        );
      return [grant, ...revokes];
    }
    case "transfer": {
      const to = address(draft.to);
      const asset = assets.find((candidate) => (candidate.token ?? "ETH") === draft.asset);
      if (asset === undefined) throw new DraftError("governance.builder.errors.asset");
      let amount: bigint;
      try {
        amount = parseUnits(draft.amount.trim(), asset.decimals);
      } catch {
        throw new DraftError("governance.builder.errors.amount");
      }
      if (amount <= 0n) throw new DraftError("governance.builder.errors.amount");
      if (asset.token === null) return [{ target: to, value: amount, calldata: "0x" }];
      return [
        {
          target: asset.token,
          value: 0n,
          calldata: encodeFunctionData({ abi: agriTokenAbi, functionName: "transfer", args: [to, amount] }),
        },
      ];
    }
    case "raw": {
      const entry = writableFunctions(draft.contract).find((candidate) => candidate.signature === draft.signature);
      if (entry === undefined) throw new DraftError("governance.builder.errors.function");
      const args = entry.fn.inputs.map((input, index) => parseArgument(input.type, draft.args[index] ?? ""));
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
