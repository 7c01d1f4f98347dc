import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Signature } from "ethers";

/** EIP-2612's typed-data type. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

interface PermitToken {
  name(): Promise<string>;
  nonces(owner: string): Promise<bigint>;
  getAddress(): Promise<string>;
}

/**
 * Has `signer` sign an ERC-2612 permit on `token` (domain name = the token's name, version "1"). `owner` defaults
 * to the signer and `nonce` to the owner's current one; override them to forge a bad permit.
 */
export async function signPermit(
  token: PermitToken,
  signer: HardhatEthersSigner,
  permit: { spender: string; value: bigint; deadline: bigint | number; owner?: string; nonce?: bigint },
): Promise<Signature> {
  const owner = permit.owner ?? signer.address;
  if (signer.provider === null) throw new Error(`signer ${signer.address} has no provider to read the chain id from`);
  const { chainId } = await signer.provider.getNetwork();
  const domain = { name: await token.name(), version: "1", chainId, verifyingContract: await token.getAddress() };
  const message = {
    owner,
    spender: permit.spender,
    value: permit.value,
    nonce: permit.nonce ?? (await token.nonces(owner)),
    deadline: permit.deadline,
  };
  return Signature.from(await signer.signTypedData(domain, PERMIT_TYPES, message));
}
