import { connectorsForWallets } from "@rainbow-me/rainbowkit";
import type { WalletList } from "@rainbow-me/rainbowkit";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";
import i18next from "i18next";
import { http } from "viem";
import { createConfig } from "wagmi";
import type { Config } from "wagmi";

import { LOCAL_CHAIN_ID } from "../../../protocol/local-chain-id";
import { burnerWallet } from "./burner-wallet";
import { walletChain } from "./wallet-chain";

// Group names RainbowKit translates itself ("Installed" is also where it lists the extensions it discovers). The
// browser wallet is listed only when the page has one: RainbowKit would offer it regardless.
function walletList(): WalletList {
  const list: WalletList = [
    {
      groupName: "Installed",
      wallets: [
        () => ({ ...injectedWallet(), name: i18next.t("wallet.browserWalletName"), installed: "ethereum" in window }),
      ],
    },
  ];
  if (walletChain.id === LOCAL_CHAIN_ID) {
    list.unshift({ groupName: "Recommended", wallets: [burnerWallet(walletChain, i18next.t("wallet.burnerName"))] });
  }
  return list;
}

let config: Config | undefined;

/**
 * wagmi with the wallets that need no WalletConnect relay (browser wallets, and the burner on the local chain), one
 * for the whole app. Made on first use, at render: the wallets' names are read then, from the catalog a page beyond
 * the shop loads before rendering (not when this module is evaluated, which is before). RainbowKit copies the names
 * into its connectors once, so after a language switch they follow on the next load. RainbowKit requires a projectId
 * but only WalletConnect-based wallets read it, and none is listed.
 */
export function wagmiConfig(): Config {
  config ??= createConfig({
    chains: [walletChain],
    connectors: connectorsForWallets(walletList(), { appName: "AgriDAO", projectId: "agridao-no-walletconnect" }),
    transports: { [walletChain.id]: http() },
    ssr: false,
  });
  return config;
}
