import { ethers } from "ethers";
import type { HDNodeWallet } from "ethers";
import type { network } from "hardhat";
import type pg from "pg";

type Connection = Awaited<ReturnType<typeof network.create>>;

/** Records `address` as one of the user's wallets, as a SIWE sign-in or POST /api/account/wallets would. */
export async function linkWallet(pool: pg.Pool, userId: string, address: string): Promise<void> {
  await pool.query("INSERT INTO wallets (address, user_id, chain_id) VALUES ($1, $2, 31337)", [
    address.toLowerCase(),
    userId,
  ]);
}

/**
 * A wallet of its own on the local node, with 100 ETH for gas: the API accepts an escrow payment only from a wallet
 * linked to the order's buyer, and a wallet belongs to one account, so each buyer in a test gets a fresh one.
 */
export async function fundedWallet(connection: Connection): Promise<HDNodeWallet> {
  const wallet = ethers.Wallet.createRandom(connection.ethers.provider);
  await connection.networkHelpers.setBalance(wallet.address, ethers.parseEther("100"));
  return wallet;
}

/** A fresh funded wallet linked to the user. */
export async function linkedBuyerWallet(connection: Connection, pool: pg.Pool, userId: string): Promise<HDNodeWallet> {
  const wallet = await fundedWallet(connection);
  await linkWallet(pool, userId, wallet.address);
  return wallet;
}
