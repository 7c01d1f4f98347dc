import type { Wallet } from "@rainbow-me/rainbowkit";
import { createWalletClient, http, numberToHex } from "viem";
import type { Chain, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createConnector } from "wagmi";
import { injected } from "wagmi/connectors";

const KEY_STORAGE = "agridao.burnerKey";
// Whether the user connected the burner (EIP-1193: no accounts are exposed before eth_requestAccounts).
const CONNECTED_STORAGE = "agridao.burnerConnected";

// A plain wallet glyph, inline so the wallet list needs no extra request.
const ICON =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><rect width="28" height="28" rx="6" fill="#e4572e"/>' +
      '<path d="M14 5c2 4 6 6 6 11a6 6 0 0 1-12 0c0-3 2-5 3-7 0 2 1 3 2 3 0-3 0-5 1-7z" fill="#fff"/></svg>',
  );

/** The burner key of this browser, created on first use and kept in localStorage (local chain only: test ETH). */
function burnerKey(): Hex {
  const stored = localStorage.getItem(KEY_STORAGE);
  if (stored !== null && /^0x[0-9a-fA-F]{64}$/.test(stored)) return stored as Hex;
  const key = generatePrivateKey();
  localStorage.setItem(KEY_STORAGE, key);
  return key;
}

interface RequestArguments {
  method: string;
  params?: unknown;
}

type Listener = (...args: unknown[]) => void;

/**
 * An EIP-1193 provider that signs with the burner key in the page and sends everything else to the chain's RPC, so
 * the local chain can be used without a browser extension.
 */
function burnerProvider(chain: Chain) {
  const account = privateKeyToAccount(burnerKey());
  const client = createWalletClient({ account, chain, transport: http() });
  const listeners = new Map<string, Set<Listener>>();
  return {
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
    },
    async request({ method, params }: RequestArguments): Promise<unknown> {
      const list = (Array.isArray(params) ? params : []) as unknown[];
      switch (method) {
        case "eth_accounts":
          return localStorage.getItem(CONNECTED_STORAGE) === "1" ? [account.address] : [];
        case "eth_requestAccounts":
          localStorage.setItem(CONNECTED_STORAGE, "1");
          return [account.address];
        case "eth_chainId":
          return numberToHex(chain.id);
        case "wallet_requestPermissions":
        case "wallet_getPermissions":
          return [{ parentCapability: "eth_accounts" }];
        case "wallet_revokePermissions":
          localStorage.removeItem(CONNECTED_STORAGE);
          return null;
        case "wallet_switchEthereumChain": {
          const wanted = Number((list[0] as { chainId: string }).chainId);
          if (wanted === chain.id) return null;
          throw Object.assign(new Error(`The burner wallet only knows chain ${chain.id}`), { code: 4902 });
        }
        case "personal_sign":
          return account.signMessage({ message: { raw: list[0] as Hex } });
        case "eth_signTypedData_v4":
          return account.signTypedData(JSON.parse(list[1] as string) as Parameters<typeof account.signTypedData>[0]);
        case "eth_sendTransaction": {
          const tx = list[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex };
          return client.sendTransaction({
            account,
            chain,
            to: tx.to,
            data: tx.data,
            value: tx.value === undefined ? undefined : BigInt(tx.value),
            gas: tx.gas === undefined ? undefined : BigInt(tx.gas),
          });
        }
        default:
          return client.request({ method, params } as Parameters<typeof client.request>[0]);
      }
    },
  };
}

/** The RainbowKit entry of the burner wallet for `chain`, shown as `name`; list it only on the local chain. */
export function burnerWallet(chain: Chain, name: string): () => Wallet {
  return () => ({
    id: "agridao-burner",
    name,
    iconUrl: ICON,
    iconBackground: "#e4572e",
    installed: true,
    createConnector: (walletDetails) =>
      createConnector((config) => ({
        ...injected({
          target: { id: "agridao-burner", name: "Burner wallet", provider: burnerProvider(chain) as never },
        })(config),
        ...walletDetails,
      })),
  });
}
