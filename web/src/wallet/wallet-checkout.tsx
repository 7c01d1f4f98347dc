import { useState } from "react";
import { useTranslation } from "react-i18next";
import { erc20Abi } from "viem";
import { useAccount, usePublicClient } from "wagmi";

import type { SignedIn } from "../../../protocol/api/auth";
import type { CheckoutResult, EthPayment } from "../../../protocol/api/checkout";
import { tokenCalls } from "../../../protocol/token-calls";
import { ApiError } from "../api/api-error";
import { requestJson } from "../api/request-json";
import { useSession } from "../api/session-context";
import { CheckoutProgress } from "../cart-checkout/checkout-progress";
import { EthQuoteSummary, useSecondsLeft } from "../cart-checkout/eth-quote-summary";
import { useCheckout } from "../cart-checkout/use-checkout";
import { ChainGuard } from "./chain-guard";
import { SiweStatus } from "./siwe-status";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { useSiweProof } from "./use-siwe-proof";
import { chainDeployment, walletChain } from "./wallet-chain";
import { SignAndLink } from "./wallet-link";
import { WalletProviders } from "./wallet-providers";

type WalletCheckoutResult = Exclude<CheckoutResult, { paymentMethod: "card" }>;

/** A checkout whose payment was mined: for ETH, what was paid at which quote stays on the page. */
interface PaidCheckout {
  checkoutId: string;
  eth?: { payment: EthPayment; currency: string };
}

function WalletSiwe() {
  const { t } = useTranslation();
  const session = useSession();
  const { state, prove, address } = useSiweProof(t("wallet.statement"));
  if (address === undefined) return null;
  const signIn = async () => {
    const signedIn = await prove((proof) =>
      requestJson<SignedIn>("/api/auth/siwe/verify", { method: "POST", body: proof }),
    );
    if (signedIn !== undefined) await session.signIn(signedIn);
  };
  return (
    <>
      <p>{t("checkout.signInToPay")}</p>
      <button
        type="button"
        className="button"
        disabled={state === "signing" || state === "verifying"}
        onClick={() => void signIn()}
      >
        {t("wallet.signIn")}
      </button>
      <SiweStatus state={state} />
    </>
  );
}

/** Which asset the wallet pays in: the stablecoin (approve, then pay) or ETH (one call carrying the value). */
type Asset = "stablecoin" | "eth";

/** Why ETH cannot be chosen now: the API offers no ETH (422), or its price feed cannot quote (503). */
type EthRefusal = "unavailable" | "priceUnusable";

function ethRefusalOf(error: unknown): EthRefusal | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 422 && error.code === "payment_method_unavailable") return "unavailable";
  if (error.status === 503 && error.code === "price_feed_unusable") return "priceUnusable";
  return undefined;
}

/**
 * The connected wallet is not linked to the signed-in account: a payment from it would be ignored (the API accepts an
 * escrow payment only from the buyer's own wallets), so nothing is sent until it is linked.
 */
function LinkBeforePaying({ linked, onLinked }: { linked: readonly string[]; onLinked: (wallets: string[]) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="error" role="alert">
        {t("checkout.walletNotLinked")}
      </p>
      <SignAndLink linked={linked} onLinked={(account) => onLinked(account.wallets.map((wallet) => wallet.address))} />
    </>
  );
}

function PayWithWallet({ onPaid }: { onPaid: (paid: PaidCheckout) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const { address } = useAccount();
  // The account's wallets, lower-case: from the sign-in, then as the link below (or the checkout's answer) has them.
  const [linked, setLinked] = useState<string[] | undefined>(undefined);
  const publicClient = usePublicClient({ chainId: walletChain.id });
  const checkout = useCheckout();
  const approval = useSendTransaction();
  const payment = useSendTransaction();
  const [asset, setAsset] = useState<Asset>("stablecoin");
  const [ethRefusal, setEthRefusal] = useState<EthRefusal | undefined>(undefined);
  const [result, setResult] = useState<WalletCheckoutResult | undefined>(undefined);
  const [short, setShort] = useState(false);
  const quoteLeft = useSecondsLeft(
    result?.paymentMethod === "eth" ? result.eth.quote.expiresAt : new Date(0).toISOString(),
  );
  if (session.user === undefined) return <WalletSiwe />;
  if (address === undefined || publicClient === undefined) return null;
  const quoteExpired = result?.paymentMethod === "eth" && quoteLeft === 0;
  const payers: readonly string[] =
    result?.paymentMethod === "escrow"
      ? result.escrow.payers
      : result?.paymentMethod === "eth"
        ? result.eth.payers
        : (linked ?? session.user.wallets.map((wallet) => wallet.address.toLowerCase()));
  if (!payers.includes(address.toLowerCase())) {
    return (
      <LinkBeforePaying
        linked={payers}
        onLinked={(wallets) => {
          setLinked(wallets.map((wallet) => wallet.toLowerCase()));
          // A checkout made before the link names the wallets of then: ask again (its key replays it, with the link).
          setResult(undefined);
        }}
      />
    );
  }

  /** Tells the API the payment is on its way, so the orders are neither cancelled nor expired under it. */
  const reportPayment = (checkoutId: string) => (hash: `0x${string}`) => {
    session
      .request(`/api/checkouts/${checkoutId}/payment-transactions`, { method: "POST", body: { txHash: hash } })
      .catch(() => undefined);
  };

  /** The checkout of this attempt: made once, then reused by every retry of the payment. */
  const checkoutFor = async (wanted: Asset): Promise<WalletCheckoutResult | undefined> => {
    if (result !== undefined) return result;
    const answer = await checkout.mutateAsync(wanted === "eth" ? "eth" : "escrow").catch((error: unknown) => {
      const refusal = wanted === "eth" ? ethRefusalOf(error) : undefined;
      if (refusal !== undefined) {
        setEthRefusal(refusal);
        // Nothing was reserved: the buyer may go on with the stablecoin, which is what the page now offers.
        if (refusal === "unavailable") setAsset("stablecoin");
        checkout.reset();
      }
      return undefined;
    });
    if (answer === undefined || answer.paymentMethod === "card") return undefined;
    setResult(answer);
    return answer;
  };

  const payStablecoin = async (answer: Extract<WalletCheckoutResult, { paymentMethod: "escrow" }>) => {
    const { token, approval: wanted, call } = answer.escrow;
    const amount = BigInt(wanted.amount);
    const [balance, allowance] = await Promise.all([
      publicClient.readContract({ address: token.address, abi: erc20Abi, functionName: "balanceOf", args: [address] }),
      publicClient.readContract({
        address: token.address,
        abi: erc20Abi,
        functionName: "allowance",
        args: [address, wanted.spender],
      }),
    ]);
    if (balance < amount) {
      setShort(true);
      return;
    }
    // The escrow pulls the stablecoin with transferFrom, so it needs an allowance first. The API's call is sent exactly
    // as returned, which rules out createOrderWithPermit (and permit has no batch form for several farms).
    if (allowance < amount) {
      const approved = await approval.send(tokenCalls.approve(token.address, wanted.spender, amount));
      if (approved === undefined) return;
    }
    const paid = await payment.send(
      { to: call.to, data: call.data, value: BigInt(call.value) },
      { onSent: reportPayment(answer.checkoutId) },
    );
    if (paid !== undefined) onPaid({ checkoutId: answer.checkoutId });
  };

  const payEth = async (answer: Extract<WalletCheckoutResult, { paymentMethod: "eth" }>) => {
    const { call } = answer.eth;
    const value = BigInt(call.value);
    // The value plus roughly the gas: a wallet short of either is told so before anything is sent. When the estimate
    // itself fails, the wallet's own error (mapped by transactionFailure) says why.
    const balance = await publicClient.getBalance({ address });
    const gasCost = await Promise.all([
      publicClient.estimateGas({ account: address, to: call.to, data: call.data, value }),
      publicClient.getGasPrice(),
    ]).then(
      ([gas, price]) => gas * price,
      () => 0n,
    );
    if (balance < value + gasCost) {
      setShort(true);
      return;
    }
    const paid = await payment.send(
      { to: call.to, data: call.data, value },
      { onSent: reportPayment(answer.checkoutId) },
    );
    if (paid !== undefined)
      onPaid({ checkoutId: answer.checkoutId, eth: { payment: answer.eth, currency: answer.currency } });
  };

  const pay = async () => {
    setShort(false);
    approval.reset();
    payment.reset();
    const answer = await checkoutFor(asset);
    if (answer?.paymentMethod === "escrow") await payStablecoin(answer);
    if (answer?.paymentMethod === "eth" && !quoteExpired) await payEth(answer);
  };
  const busy =
    checkout.isPending ||
    approval.state.step === "confirming" ||
    approval.state.step === "pending" ||
    payment.state.step === "confirming" ||
    payment.state.step === "pending";
  const ethOffered = ethRefusal !== "unavailable";
  return (
    <>
      <fieldset className="payment-choice">
        <legend>{t("checkout.payIn")}</legend>
        <label>
          <input
            type="radio"
            name="asset"
            checked={asset === "stablecoin"}
            disabled={result !== undefined || busy}
            onChange={() => setAsset("stablecoin")}
          />
          {t("checkout.payInStablecoin")}
        </label>
        <label className={ethOffered ? undefined : "disabled"}>
          <input
            type="radio"
            name="asset"
            checked={asset === "eth"}
            disabled={!ethOffered || result !== undefined || busy}
            onChange={() => {
              setAsset("eth");
              if (ethRefusal === "priceUnusable") setEthRefusal(undefined);
            }}
          />
          {t("checkout.payInEth")}
        </label>
      </fieldset>
      {ethRefusal !== undefined && (
        <p className="error" role="alert">
          {t(ethRefusal === "unavailable" ? "checkout.ethUnavailable" : "checkout.ethPriceUnusable")}
        </p>
      )}
      {result?.paymentMethod === "eth" && (
        <EthQuoteSummary wei={result.eth.value} quote={result.eth.quote} currency={result.currency} live />
      )}
      {quoteExpired && payment.state.step !== "mined" && (
        <p className="error" role="alert">
          {t("checkout.quoteExpired")}
        </p>
      )}
      <button type="button" className="button" disabled={busy || quoteExpired} onClick={() => void pay()}>
        {result === undefined ? t("checkout.payWithWallet") : t("checkout.retryPayment")}
      </button>
      {checkout.isError && (
        <p className="error" role="alert">
          {t("checkout.failed")}
        </p>
      )}
      {short && (
        <p className="error" role="alert">
          {t(asset === "eth" ? "checkout.ethInsufficient" : "tx.failure.insufficientFunds")}
        </p>
      )}
      {approval.state.step !== "idle" && (
        <div>
          <h3>{t("checkout.approvalStep")}</h3>
          <TxStatus state={approval.state} />
        </div>
      )}
      {payment.state.step !== "idle" && (
        <div>
          <h3>{t(asset === "eth" ? "checkout.ethPaymentStep" : "checkout.paymentStep")}</h3>
          <TxStatus state={payment.state} />
        </div>
      )}
    </>
  );
}

/**
 * Paying a checkout into the escrow from the buyer's wallet: connect, sign in, right network, then the stablecoin
 * (approve, pay) or ETH (at a quoted amount, one call), then indexed.
 */
export function WalletCheckout() {
  const [paid, setPaid] = useState<PaidCheckout | undefined>(undefined);
  return (
    <WalletProviders>
      <ChainGuard escrowAddress={chainDeployment?.addresses.MarketplaceEscrow}>
        {paid === undefined ? (
          <PayWithWallet onPaid={setPaid} />
        ) : (
          <>
            {paid.eth !== undefined && (
              <EthQuoteSummary
                wei={paid.eth.payment.value}
                quote={paid.eth.payment.quote}
                currency={paid.eth.currency}
                live={false}
              />
            )}
            <CheckoutProgress checkoutId={paid.checkoutId} />
          </>
        )}
      </ChainGuard>
    </WalletProviders>
  );
}
