import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { zeroAddress } from "viem";
import { useAccount, useReadContract } from "wagmi";

import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary";
import { shareOfBps } from "../../../protocol/escrow/basis-points";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls";
import { ORDER_STATE } from "../../../protocol/escrow/order-state";
import { marketplaceEscrowAbi } from "../../../protocol/generated/contracts";
import { formText } from "../components/form-text";
import { OpenDisputeForm } from "../disputes/open-dispute-form";
import type { OpenDisputeInput } from "../disputes/use-disputes";
import { useOpenDispute, useOrderDisputes } from "../disputes/use-disputes";
import { useFormat } from "../i18n/use-format";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { walletChain } from "./wallet-chain";

const { Funded: FUNDED, Shipped: SHIPPED, Disputed: DISPUTED, Resolved: RESOLVED } = ORDER_STATE;

/**
 * An escrow order's dispute from the connected wallet of one of its sides: opening it (the reason and photo go to the
 * API, then the wallet sends the openDispute call it returns), sending that call again when it never reached the
 * chain, and once the escrow holds the dispute, proposing a split or accepting the other side's.
 */
export function EscrowDispute({
  escrow,
  escrowOrderId,
  apiOrderId,
  apiStatus,
  currency,
  totalMinor,
}: {
  escrow: `0x${string}`;
  escrowOrderId: bigint;
  apiOrderId: string;
  /** The order's status as the API has it, which follows the chain once the API has linked the change. */
  apiStatus: OrderStatus;
  currency: string;
  totalMinor: number;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const shareId = useId();
  const { address } = useAccount();
  const queryClient = useQueryClient();
  const tx = useSendTransaction();
  const open = useOpenDispute(apiOrderId);
  const disputes = useOrderDisputes(apiOrderId);
  const onChain = useReadContract({
    address: escrow,
    abi: marketplaceEscrowAbi,
    functionName: "getOrder",
    args: [escrowOrderId],
    chainId: walletChain.id,
    // While disputed, the other side may propose or accept a settlement at any moment: read the escrow again.
    query: { refetchInterval: (query) => (query.state.data?.state === DISPUTED ? 3_000 : false) },
  });
  const state = onChain.data?.state;
  // The API links a chain change a moment after the indexer announces it, and a dispute opened through the API sends
  // no notification when it is linked: until the order's status follows the chain, read it again every second.
  const lagging = (state === DISPUTED && apiStatus !== "disputed") || (state === RESOLVED && apiStatus !== "resolved");
  useEffect(() => {
    if (!lagging) return;
    const timer = setInterval(() => void queryClient.invalidateQueries({ queryKey: ["orders"] }), 1_000);
    return () => clearInterval(timer);
  }, [lagging, queryClient]);
  if (address === undefined || onChain.data === undefined || disputes.data === undefined) return null;
  const order = onChain.data;
  const me = address.toLowerCase();
  // Only the order's two sides may dispute or settle it on-chain.
  if (order.buyer.toLowerCase() !== me && order.seller.toLowerCase() !== me) return null;
  const openInApi = disputes.data.disputes[0]?.status === "open";
  const busy = open.isPending || tx.state.step === "confirming" || tx.state.step === "pending";

  const send = async (call: { to: `0x${string}`; data: `0x${string}` }) => {
    const hash = await tx.send(call);
    if (hash === undefined) return;
    await Promise.all([onChain.refetch(), queryClient.invalidateQueries({ queryKey: ["orders"] })]);
  };
  const openDispute = async (input: OpenDisputeInput) => {
    const opened = await open.mutateAsync(input).catch(() => undefined);
    if (opened?.escrowCall != null) await send({ to: escrow, data: opened.escrowCall.data });
  };
  const share = (bps: number) => ({
    percent: format.number(bps / 100),
    buyer: format.money(shareOfBps(totalMinor, bps), currency),
  });
  const propose = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const percent = Number(formText(new FormData(event.currentTarget), "buyerPercent"));
    void send(escrowCalls.proposeSettlement(escrow, escrowOrderId, Math.round(percent * 100)));
  };

  const disputable = order.state === FUNDED || order.state === SHIPPED;
  const proposer = order.settlementProposer.toLowerCase();
  const proposed = proposer !== zeroAddress;
  return (
    <div className="escrow-dispute">
      {disputable && !openInApi && (
        <OpenDisputeForm onSubmit={(input) => void openDispute(input)} busy={busy} failed={open.isError} />
      )}
      {disputable && openInApi && (
        <div className="action-row">
          <p className="hint">{t("disputes.notOnChainYet")}</p>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() => void send(escrowCalls.openDispute(escrow, escrowOrderId))}
          >
            {t("disputes.sendOpenDispute")}
          </button>
        </div>
      )}
      {order.state === DISPUTED && (
        <>
          <h3>{t("disputes.settlementTitle")}</h3>
          <p className="hint">{t("disputes.settlementHint")}</p>
          {proposed && (
            <p data-testid="settlement-proposal">
              {t(proposer === me ? "disputes.youProposed" : "disputes.theyProposed", share(order.settlementBuyerBps))}
            </p>
          )}
          {proposed && proposer !== me && (
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => void send(escrowCalls.acceptSettlement(escrow, escrowOrderId, order.settlementBuyerBps))}
            >
              {t("disputes.acceptSettlement", share(order.settlementBuyerBps))}
            </button>
          )}
          <form className="inline-form" onSubmit={propose}>
            <label htmlFor={shareId}>{t("disputes.buyerPercent")}</label>
            <input id={shareId} name="buyerPercent" type="number" min="0" max="100" step="0.01" required />
            <button type="submit" className="button button-secondary" disabled={busy}>
              {t("disputes.proposeSettlement")}
            </button>
          </form>
        </>
      )}
      {open.data?.photoFailed === true && (
        <p className="error" role="alert">
          {t("disputes.photoFailed")}
        </p>
      )}
      <TxStatus state={tx.state} />
    </div>
  );
}
