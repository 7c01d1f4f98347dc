import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useAccount, useReadContract } from "wagmi";

import type { OrderStatus } from "../../../protocol/vocabulary/order-vocabulary";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls";
import { ORDER_STATE } from "../../../protocol/escrow/order-state";
import { marketplaceEscrowAbi } from "../../../protocol/generated/contracts";
import { ChainGuard } from "./chain-guard";
import { EscrowCredits } from "./escrow-credits";
import { EscrowDispute } from "./escrow-dispute";
import { ReleasedPaymentRefund } from "./released-payment-refund";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { WalletProviders } from "./wallet-providers";
import { chainDeployment, walletChain } from "./wallet-chain";

// openDispute is not among them: a dispute starts with its reason, which EscrowDispute sends to the API first.
type EscrowAction = "markShipped" | "confirmDelivery" | "refundAfterTimeout" | "completeAfterTimeout";

const ACTION_KEYS: Readonly<Record<EscrowAction, string>> = {
  markShipped: "escrow.markShipped",
  confirmDelivery: "escrow.confirmDelivery",
  refundAfterTimeout: "escrow.refundAfterTimeout",
  completeAfterTimeout: "escrow.completeAfterTimeout",
};

/** What the contract lets `account` do with the order now: the same checks markShipped, confirmDelivery, … make. */
function allowedActions(
  order: { buyer: string; seller: string; state: number; deadline: bigint },
  account: string,
  now: bigint,
): EscrowAction[] {
  const me = account.toLowerCase();
  const buyer = order.buyer.toLowerCase() === me;
  const seller = order.seller.toLowerCase() === me;
  const late = now > order.deadline;
  const actions: EscrowAction[] = [];
  if (order.state === ORDER_STATE.Funded) {
    if (seller) actions.push("markShipped");
    if (late) actions.push("refundAfterTimeout");
  }
  if (order.state === ORDER_STATE.Shipped) {
    if (buyer) actions.push("confirmDelivery");
    if (late) actions.push("completeAfterTimeout");
  }
  return actions;
}

function Actions({ escrow, orderId }: { escrow: `0x${string}`; orderId: bigint }) {
  const { t } = useTranslation();
  const { address } = useAccount();
  const queryClient = useQueryClient();
  const tx = useSendTransaction();
  const onChain = useReadContract({
    address: escrow,
    abi: marketplaceEscrowAbi,
    functionName: "getOrder",
    args: [orderId],
    chainId: walletChain.id,
  });
  if (address === undefined || onChain.data === undefined) return null;
  const actions = allowedActions(onChain.data, address, BigInt(Math.floor(Date.now() / 1000)));
  const run = async (action: EscrowAction) => {
    const hash = await tx.send(escrowCalls[action](escrow, orderId));
    if (hash === undefined) return;
    await Promise.all([onChain.refetch(), queryClient.invalidateQueries({ queryKey: ["orders"] })]);
  };
  const busy = tx.state.step === "confirming" || tx.state.step === "pending";
  return (
    <>
      {actions.length === 0 ? (
        <p className="hint">{t("escrow.nothingToDo")}</p>
      ) : (
        <div className="action-row">
          {actions.map((action) => (
            <button key={action} type="button" className="button" disabled={busy} onClick={() => void run(action)}>
              {t(ACTION_KEYS[action])}
            </button>
          ))}
        </div>
      )}
      <TxStatus state={tx.state} />
    </>
  );
}

export interface EscrowOrderRef {
  /** The escrow's order id. */
  escrowOrderId: string;
  /** What the row is called (the farm, or the order's buyer and items), when the panel lists several. */
  label?: string;
  /**
   * The API order, when its payment came after it was cancelled or expired and the farm views it: the row says
   * "paid but cancelled: refund or ship" and offers the refund beside shipping.
   */
  releasedOrderId?: string;
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
                {order.releasedOrderId !== undefined && (
                  <p className="error" data-testid="paid-after-release">
                    {t("escrow.paidAfterRelease")}
                  </p>
                )}
                <Actions escrow={escrow} orderId={BigInt(order.escrowOrderId)} />
                {order.releasedOrderId !== undefined && <ReleasedPaymentRefund orderId={order.releasedOrderId} />}
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
