import "@rainbow-me/rainbowkit/styles.css";

import { RainbowKitProvider } from "@rainbow-me/rainbowkit";
import type { ReactNode } from "react";
import { WagmiProvider } from "wagmi";

import { wagmiConfig } from "./wagmi-config";
import { walletChain } from "./wallet-chain";

/** wagmi and RainbowKit around the parts of a page that use a wallet (RainbowKit has no Bengali; it speaks English). */
export function WalletProviders({ children }: { children: ReactNode }) {
  return (
    <WagmiProvider config={wagmiConfig}>
      <RainbowKitProvider locale="en-US" initialChain={walletChain}>
        {children}
      </RainbowKitProvider>
    </WagmiProvider>
  );
}
