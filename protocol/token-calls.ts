import { encodeFunctionData } from "viem";
import type { Address } from "viem";

import type { ContractCall } from "./contract-call.js";
import { agriTokenAbi } from "./generated/contracts.js";

// OpenZeppelin's ERC-20, as AgriToken and the stablecoin are: an approval or a transfer is the same call on any ERC-20.
const abi = agriTokenAbi;

/**
 * One builder per token action the platform asks a wallet for: an ERC-20 approval (of the escrow, before paying it in
 * the stablecoin) or transfer (of the treasury's tokens, in a proposal), and AGRI's delegation of voting power.
 */
export const tokenCalls = {
  approve(
    token: Address,
    spender: Address,
    amount: bigint,
  ): ContractCall<"approve", { spender: Address; value: bigint }, 0n> {
    return {
      to: token,
      data: encodeFunctionData({ abi, functionName: "approve", args: [spender, amount] }),
      value: 0n,
      functionName: "approve",
      args: { spender, value: amount },
    };
  },

  transfer(token: Address, to: Address, amount: bigint): ContractCall<"transfer", { to: Address; value: bigint }, 0n> {
    return {
      to: token,
      data: encodeFunctionData({ abi, functionName: "transfer", args: [to, amount] }),
      value: 0n,
      functionName: "transfer",
      args: { to, value: amount },
    };
  },

  /** AGRI (ERC20Votes): the sender's voting power goes to `delegatee` (itself, to vote with it). */
  delegate(token: Address, delegatee: Address): ContractCall<"delegate", { delegatee: Address }, 0n> {
    return {
      to: token,
      data: encodeFunctionData({ abi, functionName: "delegate", args: [delegatee] }),
      value: 0n,
      functionName: "delegate",
      args: { delegatee },
    };
  },
};
