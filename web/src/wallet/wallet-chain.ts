import type { Chain } from "viem";
import { hardhat, mainnet, sepolia } from "viem/chains";

import { deployments } from "../../../protocol/generated/contracts";
import type { ContractDeployment } from "../../../protocol/generated/contracts";
import { LOCAL_CHAIN_ID } from "../../../protocol/local-chain-id";

const KNOWN_CHAINS: readonly Chain[] = [hardhat, sepolia, mainnet];

const chainId = Number((import.meta.env.VITE_CHAIN_ID as string | undefined) ?? LOCAL_CHAIN_ID);
const rpcUrl = import.meta.env.VITE_CHAIN_RPC_URL as string | undefined;

function configuredChain(): Chain {
  const known = KNOWN_CHAINS.find((chain) => chain.id === chainId);
  if (known === undefined) throw new Error(`VITE_CHAIN_ID ${chainId} is not one of the chains the web app knows`);
  const url = rpcUrl ?? (chainId === LOCAL_CHAIN_ID ? "http://127.0.0.1:8545" : undefined);
  return url === undefined ? known : { ...known, rpcUrls: { default: { http: [url] } } };
}

/** The chain the marketplace runs on for this build (VITE_CHAIN_ID, VITE_CHAIN_RPC_URL). */
export const walletChain: Chain = configuredChain();

/** The contracts deployed on that chain, from the generated deployment file; undefined when nothing is deployed. */
export const chainDeployment: ContractDeployment | undefined = deployments[walletChain.id];
