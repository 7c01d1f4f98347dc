import "@rainbow-me/rainbowkit/styles.css";

import { RainbowKitProvider } from "@rainbow-me/rainbowkit";
import type { Locale } from "@rainbow-me/rainbowkit";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { WagmiProvider } from "wagmi";

import type { Language } from "../i18n/language";
import { wagmiConfig } from "./wagmi-config";
import { walletChain } from "./wallet-chain";

// RainbowKit's Locale type does not list Bengali: our build adds it to RainbowKit's loader (rainbowKitBengali in web/vite.config.ts).
const RAINBOWKIT_LOCALES: Readonly<Record<Language, Locale>> = { en: "en-US", bn: "bn" as Locale };

/** wagmi and RainbowKit around the parts of a page that use a wallet, RainbowKit's dialogs in the page's language. */
export function WalletProviders({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <WagmiProvider config={wagmiConfig()}>
      <RainbowKitProvider locale={RAINBOWKIT_LOCALES[i18n.language as Language]} initialChain={walletChain}>
        {children}
      </RainbowKitProvider>
    </WagmiProvider>
  );
}
