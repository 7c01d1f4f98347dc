import { toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of Hardhat's well-known account `index`, for a burner wallet that must be that account. */
export function hardhatKey(index: number): `0x${string}` {
  return toHex(mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
}
