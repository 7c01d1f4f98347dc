import { connectorsForWallets } from "@rainbow-me/rainbowkit";
import type { WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";
import i18next from "i18next";
import { http } from "viem";
import { createConfig } from "wagmi";

import { burnerWallet } from "./burner-wallet";
import { LOCAL_CHAIN_ID, walletChain } from "./wallet-chain";

// Group names RainbowKit translates itself ("Installed" is also where it lists the extensions it discovers). The
// wallets' names are fixed when the wallet stack loads, in the page's language then: RainbowKit copies them into its
// connectors once. The browser wallet is listed only when the page has one: RainbowKit would offer it regardless.
const walletList: WalletList = [
  {
    groupName: "Installed",
    wallets: [
      () => ({ ...injectedWallet(), name: i18next.t("wallet.browserWalletName"), installed: "ethereum" in window }),
    ],
  },
];
if (walletChain.id === LOCAL_CHAIN_ID) {
  walletList.unshift({
    groupName: "Recommended",
    wallets: [burnerWallet(walletChain, i18next.t("wallet.burnerName"))],
  });
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
