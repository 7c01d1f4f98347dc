import type { BrowserContext } from "playwright-core";

/** What the pages of a context with a slow browser wallet can tell about it. */
export interface SlowBrowserWalletState {
  /** Whether the wallet has answered `eth_accounts` yet. */
  browserWalletAnswered: boolean;
}

/**
 * Gives the pages of `context` a browser wallet (an EIP-1193 provider at `window.ethereum`, where an extension injects
 * one) that is locked and slow, as an extension whose background is still waking up: it answers `eth_accounts` (no
 * account) only after `answerAfterMs`, and only then sets `window.browserWalletAnswered`. wagmi's reconnect of a page
 * load asks it, so the reconnect lasts that long.
 */
export async function addSlowBrowserWallet(context: BrowserContext, answerAfterMs: number): Promise<void> {
  await context.addInitScript((delayMs: number) => {
    const page = globalThis as unknown as SlowBrowserWalletState & { ethereum: unknown };
    page.browserWalletAnswered = false;
    page.ethereum = {
      on() {},
      removeListener() {},
      async request({ method }: { method: string }): Promise<unknown> {
        if (method === "eth_accounts") {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          page.browserWalletAnswered = true;
          return [];
        }
        if (method === "eth_chainId") return "0x7a69";
        throw Object.assign(new Error(`The browser wallet does not support ${method}`), { code: 4200 });
      },
    };
  }, answerAfterMs);
}
