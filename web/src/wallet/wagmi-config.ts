import { connectorsForWallets } from "@rainbow-me/rainbowkit";
import type { WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";
import { http } from "viem";
import { createConfig } from "wagmi";

import { burnerWallet } from "./burner-wallet";
import { LOCAL_CHAIN_ID, walletChain } from "./wallet-chain";

const walletList: WalletList = [{ groupName: "Browser", wallets: [injectedWallet] }];
if (walletChain.id === LOCAL_CHAIN_ID) {
  walletList.unshift({ groupName: "Local chain", wallets: [burnerWallet(walletChain)] });
}

/**
 * wagmi with the wallets that need no WalletConnect relay (browser wallets, and the burner on the local chain).
 * RainbowKit requires a projectId but only WalletConnect-based wallets read it, and none is listed.
 */
export const wagmiConfig = createConfig({
  chains: [walletChain],
  connectors: connectorsForWallets(walletList, { appName: "AgriDAO", projectId: "agridao-no-walletconnect" }),
  transports: { [walletChain.id]: http() },
  ssr: false,
});
