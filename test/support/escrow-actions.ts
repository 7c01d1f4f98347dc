import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ethers, toBeHex } from "ethers";
import type { network } from "hardhat";

import { marketplaceEscrowEnums } from "../../protocol/generated/contracts.js";
import type { MarketplaceEscrow, MockUSDC } from "../../types/ethers-contracts/index.js";
import { bigintEnumValues } from "./bigint-enum-values.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/** {IMarketplaceEscrow.OrderState} as the values the ABI returns. */
export const OrderState = bigintEnumValues(marketplaceEscrowEnums.OrderState);

/** {IMarketplaceEscrow.Resolution} as the values the ABI returns. */
export const Resolution = bigintEnumValues(marketplaceEscrowEnums.Resolution);

/** The `expectedStates` bitmap {EscrowUnexpectedState} carries for a single expected state. */
export function stateBit(state: bigint): string {
  return toBeHex(1n << state, 32);
}

/** A distinct order reference for a label, as the API would derive one. */
export function orderRef(label: string): string {
  return ethers.id(label);
}

/** The platform fee the escrow charges on `amount`, rounded down like the contract. */
export function feeOn(amount: bigint, feeBps: bigint): bigint {
  return (amount * feeBps) / 10_000n;
}

/**
 * Opens an order from `buyer` to `seller` and returns its id: in ETH by default, or in `usdc` after minting and
 * approving exactly `amount` for the buyer. The ref defaults to one derived from the id, so it is never reused.
 */
export async function openOrder(
  escrow: MarketplaceEscrow,
  buyer: HardhatEthersSigner,
  seller: HardhatEthersSigner,
  amount: bigint,
  options: { usdc?: MockUSDC; ref?: string } = {},
): Promise<bigint> {
  const orderId = await escrow.nextOrderId();
  const ref = options.ref ?? orderRef(`order-${orderId}`);
  if (options.usdc === undefined) {
    await escrow.connect(buyer).createOrder(seller.address, ethers.ZeroAddress, amount, ref, { value: amount });
  } else {
    await options.usdc.mint(buyer.address, amount);
    await options.usdc.connect(buyer).approve(await escrow.getAddress(), amount);
    await escrow.connect(buyer).createOrder(seller.address, await options.usdc.getAddress(), amount, ref);
  }
  return orderId;
}

/**
 * A signer for the DAO's timelock, so unit tests can act as the DAO without running a proposal through the
 * governor (the governance flow has its own tests).
 */
export async function asTimelock(connection: Connection, timelock: { getAddress(): Promise<string> }) {
  const address = await timelock.getAddress();
  await connection.networkHelpers.impersonateAccount(address);
  await connection.networkHelpers.setBalance(address, 10n ** 18n);
  return connection.ethers.getSigner(address);
}
