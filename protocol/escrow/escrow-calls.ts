import { encodeFunctionData } from "viem";
import type { Address, Hex } from "viem";

import type { ContractCall } from "../contract-call.js";
import { marketplaceEscrowAbi } from "../generated/contracts.js";

const abi = marketplaceEscrowAbi;

/** One escrow order to create: its seller, amount (token units; wei for ETH) and the API's bytes32 reference. */
export interface EscrowOrderRequest {
  seller: Address;
  amount: bigint;
  ref: Hex;
}

/** The escrow functions that take only an order id. */
type OrderFunction =
  | "markShipped"
  | "confirmDelivery"
  | "refundAfterTimeout"
  | "completeAfterTimeout"
  | "declineOrder"
  | "openDispute"
  | "resolveAfterTimeout";

/** The escrow functions that take an order id and the buyer's share in basis points. */
type SplitFunction = "proposeSettlement" | "acceptSettlement" | "rule";

export type EscrowOrderCall<Name extends OrderFunction = OrderFunction> = ContractCall<Name, { orderId: bigint }, 0n>;

export type EscrowSplitCall<Name extends SplitFunction = SplitFunction> = ContractCall<
  Name,
  { orderId: bigint; buyerBps: number },
  0n
>;

function orderCall<Name extends OrderFunction>(functionName: Name) {
  // Any of the union, as encodeFunctionData takes it.
  const name: OrderFunction = functionName;
  return (escrow: Address, orderId: bigint): EscrowOrderCall<Name> => ({
    to: escrow,
    data: encodeFunctionData({ abi, functionName: name, args: [orderId] }),
    value: 0n,
    functionName,
    args: { orderId },
  });
}

function splitCall<Name extends SplitFunction>(functionName: Name) {
  const name: SplitFunction = functionName;
  return (escrow: Address, orderId: bigint, buyerBps: number): EscrowSplitCall<Name> => ({
    to: escrow,
    data: encodeFunctionData({ abi, functionName: name, args: [orderId, buyerBps] }),
    value: 0n,
    functionName,
    args: { orderId, buyerBps },
  });
}

/**
 * One builder per MarketplaceEscrow action (IMarketplaceEscrow.sol says what each does and who may send it): the
 * buyer's (createOrder, createOrders, confirmDelivery), the seller's (markShipped, declineOrder), either side's
 * (openDispute, proposeSettlement, acceptSettlement, withdraw), the arbiter's (rule), anyone's once a deadline passed
 * (refundAfterTimeout, completeAfterTimeout, resolveAfterTimeout), and the timelock's, which proposals carry (setFee,
 * setWindows, setPaymentToken, grantRole, revokeRole).
 */
export const escrowCalls = {
  /** One order paid in `token` (address(0) for ETH, then `value` is `amount`; else `value` is 0). */
  createOrder<Value extends bigint>(
    escrow: Address,
    order: EscrowOrderRequest & { token: Address },
    value: Value,
  ): ContractCall<"createOrder", { seller: Address; token: Address; amount: bigint; ref: Hex }, Value> {
    const { seller, token, amount, ref } = order;
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "createOrder", args: [seller, token, amount, ref] }),
      value,
      functionName: "createOrder",
      args: { seller, token, amount, ref },
    };
  },

  /** Several orders paid at once in one `token` (address(0) for ETH, then `value` is the sum of the amounts). */
  createOrders<Value extends bigint>(
    escrow: Address,
    token: Address,
    requests: readonly EscrowOrderRequest[],
    value: Value,
  ): ContractCall<"createOrders", { token: Address; requests: EscrowOrderRequest[] }, Value> {
    const orders = requests.map(({ seller, amount, ref }) => ({ seller, amount, ref }));
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "createOrders", args: [token, orders] }),
      value,
      functionName: "createOrders",
      args: { token, requests: orders },
    };
  },

  markShipped: orderCall("markShipped"),
  confirmDelivery: orderCall("confirmDelivery"),
  refundAfterTimeout: orderCall("refundAfterTimeout"),
  completeAfterTimeout: orderCall("completeAfterTimeout"),
  declineOrder: orderCall("declineOrder"),
  openDispute: orderCall("openDispute"),
  resolveAfterTimeout: orderCall("resolveAfterTimeout"),
  proposeSettlement: splitCall("proposeSettlement"),
  acceptSettlement: splitCall("acceptSettlement"),
  rule: splitCall("rule"),

  /** Pays what the escrow credited the sender in `token` (sales, refunds, dispute shares) out to `to`. */
  withdraw(
    escrow: Address,
    token: Address,
    to: Address,
  ): ContractCall<"withdraw", { token: Address; to: Address }, 0n> {
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "withdraw", args: [token, to] }),
      value: 0n,
      functionName: "withdraw",
      args: { token, to },
    };
  },

  setFee(escrow: Address, feeBps: number): ContractCall<"setFee", { feeBps: number }, 0n> {
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "setFee", args: [feeBps] }),
      value: 0n,
      functionName: "setFee",
      args: { feeBps },
    };
  },

  /** The windows in seconds. */
  setWindows(
    escrow: Address,
    windows: { shipWindow: number; confirmWindow: number; arbitrationTimeout: number },
  ): ContractCall<"setWindows", { shipWindow: number; confirmWindow: number; arbitrationTimeout: number }, 0n> {
    const { shipWindow, confirmWindow, arbitrationTimeout } = windows;
    return {
      to: escrow,
      data: encodeFunctionData({
        abi,
        functionName: "setWindows",
        args: [shipWindow, confirmWindow, arbitrationTimeout],
      }),
      value: 0n,
      functionName: "setWindows",
      args: { shipWindow, confirmWindow, arbitrationTimeout },
    };
  },

  setPaymentToken(
    escrow: Address,
    token: Address,
    allowed: boolean,
  ): ContractCall<"setPaymentToken", { token: Address; allowed: boolean }, 0n> {
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "setPaymentToken", args: [token, allowed] }),
      value: 0n,
      functionName: "setPaymentToken",
      args: { token, allowed },
    };
  },

  /** `role` is one of marketplaceEscrowConstants' role ids (ARBITER_ROLE, GUARDIAN_ROLE). */
  grantRole(
    escrow: Address,
    role: Hex,
    account: Address,
  ): ContractCall<"grantRole", { role: Hex; account: Address }, 0n> {
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "grantRole", args: [role, account] }),
      value: 0n,
      functionName: "grantRole",
      args: { role, account },
    };
  },

  revokeRole(
    escrow: Address,
    role: Hex,
    account: Address,
  ): ContractCall<"revokeRole", { role: Hex; account: Address }, 0n> {
    return {
      to: escrow,
      data: encodeFunctionData({ abi, functionName: "revokeRole", args: [role, account] }),
      value: 0n,
      functionName: "revokeRole",
      args: { role, account },
    };
  },
};
