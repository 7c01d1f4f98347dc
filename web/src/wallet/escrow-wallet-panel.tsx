import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccount } from "wagmi";

import type { OrderAction, OrderActionKind } from "../../../protocol/api/orders";
import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary";
import { ChainGuard } from "./chain-guard";
import { EscrowCredits } from "./escrow-credits";
import { EscrowDispute } from "./escrow-dispute";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { WalletProviders } from "./wallet-providers";
import { chainDeployment } from "./wallet-chain";

/** How each wallet action the API offers reads on its button. */
const ACTION_KEYS: Readonly<Partial<Record<OrderActionKind, string>>> = {
  ship: "escrow.markShipped",
  confirmDelivery: "escrow.confirmDelivery",
  refundAfterTimeout: "escrow.refundAfterTimeout",
  completeAfterTimeout: "escrow.completeAfterTimeout",
  declinePayment: "escrow.refundReleased",
};

/**
 * The escrow calls the API offers the viewer on one escrow order (what the contract allows now, judged by the API from
 * the indexed escrow order), each sent from the connected wallet exactly as given, when it is the wallet that must send
 * it. A call sent is hidden until the order's actions change, so it is not sent twice while the chain is read again.
 */
function Actions({ actions }: { actions: OrderAction[] }) {
  const { t } = useTranslation();
  const { address } = useAccount();
  const queryClient = useQueryClient();
  const tx = useSendTransaction();
  const [sent, setSent] = useState<{ from: OrderAction[]; kinds: Set<OrderActionKind> }>({
    from: actions,
    kinds: new Set(),
  });
  const sentKinds = sent.from === actions ? sent.kinds : new Set<OrderActionKind>();
  const shown = actions.filter((action) => action.call !== null && !sentKinds.has(action.kind));
  const run = async (action: OrderAction) => {
    const call = action.call!;
    const hash = await tx.send({ to: call.to, data: call.data, value: BigInt(call.value) });
    if (hash === undefined) return;
    setSent({ from: actions, kinds: new Set([...sentKinds, action.kind]) });
    await queryClient.invalidateQueries({ queryKey: ["orders"] });
  };
  const busy = tx.state.step === "confirming" || tx.state.step === "pending";
  return (
    <>
      {shown.length === 0 ? (
        <p className="hint">{t("escrow.nothingToDo")}</p>
      ) : (
        <div className="action-row">
          {shown.map((action) => {
            const from = action.call!.from;
            const wrongWallet = from !== null && address?.toLowerCase() !== from;
            return (
              <span key={action.kind}>
                <button
                  type="button"
                  className={action.kind === "declinePayment" ? "button button-danger" : "button"}
                  disabled={busy || wrongWallet}
                  onClick={() => void run(action)}
                >
                  {t(ACTION_KEYS[action.kind] ?? action.kind)}
                </button>
                {wrongWallet && (
                  <span className="hint" role="note">
                    {" "}
                    {t("escrow.sendFromWallet", { address: from })}
                  </span>
                )}
              </span>
            );
          })}
        </div>
      )}
      <TxStatus state={tx.state} />
    </>
  );
}

export interface EscrowOrderRef {
  /** The escrow's order id. */
  escrowOrderId: string;
  /** What the API lets the viewer do with it from a wallet (its `actions` with a call). */
  actions: OrderAction[];
  /** What the row is called (the farm, or the order's buyer and items), when the panel lists several. */
  label?: string;
  /**
   * Whether its payment came after the API order was cancelled or expired and the farm views it: the row says
   * "paid but cancelled: refund or ship" (the refund is among the actions).
   */
  released?: boolean;
}

/** The API order behind a single listed escrow order, whose dispute the panel then offers to open and settle. */
export interface EscrowDisputeRef {
  orderId: string;
  status: OrderStatus;
  currency: string;
  totalMinor: number;
}

/**
 * The escrow calls the connected wallet may make on each listed on-chain order (confirm, ship, timeouts), with
 * `dispute` the dispute of the one listed order (open, settle), and with `credits` what the escrow holds for the
 * wallet and its withdraw button; every call is sent from the wallet.
 */
export function EscrowWalletPanel({
  orders,
  credits = false,
  dispute,
}: {
  orders: EscrowOrderRef[];
  credits?: boolean;
  dispute?: EscrowDisputeRef;
}) {
  const { t } = useTranslation();
  const escrow = chainDeployment?.addresses.MarketplaceEscrow;
  const token = chainDeployment?.addresses.MockUSDC;
  return (
    <WalletProviders>
      <ChainGuard escrowAddress={escrow}>
        {escrow !== undefined && (
          <>
            {orders.map((order) => (
              <div key={order.escrowOrderId} className="escrow-order">
                {order.label !== undefined && (
                  <h3>{t("escrow.orderLabel", { label: order.label, id: order.escrowOrderId })}</h3>
                )}
                {order.released === true && (
                  <p className="error" data-testid="paid-after-release">
                    {t("escrow.paidAfterRelease")}
                  </p>
                )}
                <Actions actions={order.actions} />
                {dispute !== undefined && (
                  <EscrowDispute
                    escrow={escrow}
                    escrowOrderId={BigInt(order.escrowOrderId)}
                    apiOrderId={dispute.orderId}
                    apiStatus={dispute.status}
                    currency={dispute.currency}
                    totalMinor={dispute.totalMinor}
                  />
                )}
              </div>
            ))}
            {credits && token !== undefined && <EscrowCredits escrow={escrow} token={token} />}
          </>
        )}
      </ChainGuard>
    </WalletProviders>
  );
}
