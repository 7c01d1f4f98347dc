import { useState } from "react";
import { useTranslation } from "react-i18next";
import { encodeFunctionData, erc20Abi } from "viem";
import { useAccount, usePublicClient } from "wagmi";

import { requestJson } from "../api/request-json";
import type { CheckoutResult, SignedIn } from "../api/types";
import { CheckoutProgress } from "../checkout/checkout-progress";
import { useCheckout } from "../checkout/use-checkout";
import { useSession } from "../hooks/session-context";
import { ChainGuard } from "./chain-guard";
import { SiweStatus } from "./siwe-status";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { useSiweProof } from "./use-siwe-proof";
import { WalletProviders } from "./wallet-providers";
import { chainDeployment, walletChain } from "./wallet-chain";

type EscrowCheckout = Extract<CheckoutResult, { paymentMethod: "escrow" }>;

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

function PayWithWallet({ onPaid }: { onPaid: (checkoutId: string) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const { address } = useAccount();
  const publicClient = usePublicClient({ chainId: walletChain.id });
  const checkout = useCheckout();
  const approval = useSendTransaction();
  const payment = useSendTransaction();
  const [result, setResult] = useState<EscrowCheckout | undefined>(undefined);
  const [short, setShort] = useState(false);
  if (session.user === undefined) return <WalletSiwe />;
  if (address === undefined || publicClient === undefined) return null;

  const pay = async () => {
    setShort(false);
    approval.reset();
    payment.reset();
    const answer = result ?? (await checkout.mutateAsync("escrow").catch(() => undefined));
    if (answer === undefined || answer.paymentMethod !== "escrow") return;
    setResult(answer);
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
      const approved = await approval.send({
        to: token.address,
        data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [wanted.spender, amount] }),
      });
      if (approved === undefined) return;
    }
    const paid = await payment.send({ to: call.to, data: call.data, value: BigInt(call.value) });
    if (paid !== undefined) onPaid(answer.checkoutId);
  };
  const busy =
    checkout.isPending ||
    approval.state.step === "confirming" ||
    approval.state.step === "pending" ||
    payment.state.step === "confirming" ||
    payment.state.step === "pending";
  return (
    <>
      <button type="button" className="button" disabled={busy} onClick={() => void pay()}>
        {result === undefined ? t("checkout.payWithWallet") : t("checkout.retryPayment")}
      </button>
      {checkout.isError && (
        <p className="error" role="alert">
          {t("checkout.failed")}
        </p>
      )}
      {short && (
        <p className="error" role="alert">
          {t("tx.failure.insufficientFunds")}
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
          <h3>{t("checkout.paymentStep")}</h3>
          <TxStatus state={payment.state} />
        </div>
      )}
    </>
  );
}

/** Paying a checkout into the escrow from the buyer's wallet: connect, sign in, right network, approve, pay, indexed. */
export function WalletCheckout() {
  const [paidCheckout, setPaidCheckout] = useState<string | undefined>(undefined);
  return (
    <WalletProviders>
      <ChainGuard escrowAddress={chainDeployment?.addresses.MarketplaceEscrow}>
        {paidCheckout === undefined ? (
          <PayWithWallet onPaid={setPaidCheckout} />
        ) : (
          <CheckoutProgress checkoutId={paidCheckout} />
        )}
      </ChainGuard>
    </WalletProviders>
  );
}
