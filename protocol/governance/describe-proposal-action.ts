import { decodeFunctionData, formatUnits } from "viem";
import type { Abi, Address, Hex } from "viem";

import type { ProposalAction } from "../api/governance.js";
import {
  agriGovernorAbi,
  agriTimelockAbi,
  agriTokenAbi,
  marketplaceEscrowAbi,
  marketplaceEscrowConstants,
  mockUSDCAbi,
} from "../generated/contracts.js";
import { AGRI } from "./agri.js";

/** A contract a proposal may call, as the decoder knows it. ERC-20s carry what amounts are shown in. */
export interface KnownContract {
  name: "MarketplaceEscrow" | "AgriToken" | "AgriGovernor" | "AgriTimelock" | "MockUSDC";
  address: Address;
  token?: { symbol: string; decimals: number };
}

/** One call of a proposal, decoded when its target is a contract of the platform, else shown raw (as the API answers it). */
export type DescribedAction = ProposalAction;

const ABIS: Record<KnownContract["name"], Abi> = {
  MarketplaceEscrow: marketplaceEscrowAbi,
  AgriToken: agriTokenAbi,
  AgriGovernor: agriGovernorAbi,
  AgriTimelock: agriTimelockAbi,
  MockUSDC: mockUSDCAbi,
};

const {
  ARBITER_ROLE,
  GUARDIAN_ROLE,
  DEFAULT_ADMIN_ROLE,
  MAX_FEE_BPS,
  MIN_WINDOW,
  MAX_WINDOW,
  MIN_ARBITRATION_TIMEOUT,
  MAX_ARBITRATION_TIMEOUT,
} = marketplaceEscrowConstants;

const ROLE_NAMES: Record<Hex, string> = {
  [ARBITER_ROLE]: "arbiter",
  [GUARDIAN_ROLE]: "guardian",
  [DEFAULT_ADMIN_ROLE]: "admin",
};

/**
 * Decodes one proposal action with the generated ABIs and says what it does in words for the platform's own actions
 * (fee, windows, payment tokens, arbiters, guardian, treasury transfers, governance settings): the summary the web's
 * proposal builder promises, e.g. "Set platform fee to 3.00%". A fee or windows outside the escrow's bounds (its
 * generated constants) are said to revert, so voters know before voting. Anything else is described as a raw call.
 */
export function describeProposalAction(
  action: { target: Address; value: bigint; calldata: Hex },
  contracts: readonly KnownContract[],
): DescribedAction {
  const target = action.target.toLowerCase() as Address;
  const known = contracts.find((contract) => contract.address.toLowerCase() === target);
  const base = { target, value: action.value.toString(), calldata: action.calldata };
  const name = (address: string) => nameOf(address, contracts);
  if (action.calldata === "0x") {
    return {
      ...base,
      contract: known?.name ?? null,
      functionName: null,
      args: null,
      summary:
        action.value > 0n
          ? `Transfer ${formatUnits(action.value, 18)} ETH from the treasury to ${name(target)}`
          : `Call ${name(target)} with no data`,
    };
  }
  if (known !== undefined && action.calldata.length >= 10) {
    try {
      const abi = ABIS[known.name];
      const decoded = decodeFunctionData({ abi, data: action.calldata });
      const inputs = abi.find(
        (item) =>
          item.type === "function" &&
          item.name === decoded.functionName &&
          item.inputs.length === (decoded.args ?? []).length,
      );
      const positional = decoded.args ?? [];
      const args: Record<string, unknown> = {};
      if (inputs !== undefined && inputs.type === "function") {
        inputs.inputs.forEach((input, index) => (args[input.name ?? String(index)] = toJson(positional[index])));
      }
      return {
        ...base,
        contract: known.name,
        functionName: decoded.functionName,
        args,
        summary:
          summarize(known, decoded.functionName, positional, name) ??
          `Call ${known.name}.${decoded.functionName}(${positional.map((arg) => String(toJson(arg))).join(", ")})`,
      };
    } catch {
      // Not a function of this ABI: shown raw below.
    }
  }
  return {
    ...base,
    contract: known?.name ?? null,
    functionName: null,
    args: null,
    summary: `Call ${name(target)} with data ${action.calldata.slice(0, 10)}…${action.value > 0n ? ` and ${formatUnits(action.value, 18)} ETH` : ""}`,
  };
}

function summarize(
  contract: KnownContract,
  functionName: string,
  args: readonly unknown[],
  name: (address: string) => string,
): string | undefined {
  switch (`${contract.name}.${functionName}`) {
    case "MarketplaceEscrow.setFee": {
      const feeBps = Number(args[0]);
      return (
        `Set platform fee to ${percent(feeBps)}` +
        (feeBps > MAX_FEE_BPS ? ` (above the escrow's cap of ${percent(MAX_FEE_BPS)}: it will revert)` : "")
      );
    }
    case "MarketplaceEscrow.setWindows": {
      const [ship, confirm, arbitration] = args.map(Number);
      const outside =
        [ship, confirm].some((window) => window < MIN_WINDOW || window > MAX_WINDOW) ||
        arbitration < MIN_ARBITRATION_TIMEOUT ||
        arbitration > MAX_ARBITRATION_TIMEOUT;
      return (
        `Set ship window to ${duration(ship)}, confirm window to ${duration(confirm)} ` +
        `and arbitration timeout to ${duration(arbitration)}` +
        (outside
          ? ` (outside the escrow's bounds of ${duration(MIN_WINDOW)} to ${duration(MAX_WINDOW)} for windows and ` +
            `${duration(MIN_ARBITRATION_TIMEOUT)} to ${duration(MAX_ARBITRATION_TIMEOUT)} for arbitration: it will revert)`
          : "")
      );
    }
    case "MarketplaceEscrow.setPaymentToken":
      return args[1] === true
        ? `Accept ${name(args[0] as string)} as a payment token`
        : `Stop accepting ${name(args[0] as string)} as a payment token`;
    case "MarketplaceEscrow.setPaused":
      return args[0] === true ? "Pause new escrow orders" : "Resume new escrow orders";
    case "MarketplaceEscrow.grantRole":
    case "MarketplaceEscrow.revokeRole": {
      const role = ROLE_NAMES[(args[0] as string).toLowerCase() as Hex] ?? `role ${args[0] as string}`;
      return functionName === "grantRole"
        ? `Appoint ${name(args[1] as string)} as ${role}`
        : `Remove ${name(args[1] as string)} as ${role}`;
    }
    case "AgriToken.transfer":
    case "MockUSDC.transfer": {
      const token = contract.token ?? { symbol: contract.name, decimals: 18 };
      return `Transfer ${formatUnits(args[1] as bigint, token.decimals)} ${token.symbol} from the treasury to ${name(args[0] as string)}`;
    }
    case "AgriGovernor.setVotingDelay":
      return `Set voting delay to ${duration(Number(args[0]))}`;
    case "AgriGovernor.setVotingPeriod":
      return `Set voting period to ${duration(Number(args[0]))}`;
    case "AgriGovernor.setProposalThreshold":
      return `Set proposal threshold to ${formatUnits(args[0] as bigint, AGRI.decimals)} ${AGRI.symbol}`;
    case "AgriGovernor.updateQuorumNumerator":
      return `Set quorum to ${String(args[0])}% of the supply`;
    case "AgriGovernor.setLateQuorumVoteExtension":
      return `Set late-quorum extension to ${duration(Number(args[0]))}`;
    case "AgriTimelock.updateDelay":
      return `Set timelock delay to ${duration(Number(args[0]))}`;
    default:
      return undefined;
  }
}

/** Basis points as a percentage with two decimals: 300 → "3.00%". */
function percent(bps: number): string {
  return `${(bps / 100).toFixed(2)}%`;
}

const UNITS = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
] as const;

/** Seconds in the largest units that divide them: 172800 → "2 days", 5400 → "90 minutes". */
function duration(seconds: number): string {
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0 && seconds >= size) ?? ["second", 1];
  const count = seconds / size;
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

function nameOf(address: string, contracts: readonly KnownContract[]): string {
  const known = contracts.find((contract) => contract.address.toLowerCase() === address.toLowerCase());
  if (known === undefined) return address.toLowerCase();
  return `${known.token?.symbol ?? known.name} (${known.address.toLowerCase()})`;
}

/** Decoded arguments as JSON: bigints become decimal strings, addresses lower case. */
function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  return value;
}
