import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccount } from "wagmi";

import type { DeclineOrderCall } from "../../../protocol/api/orders";
import { useSession } from "../api/session-context";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";

/**
 * The farm's one-click refund of a payment that came after its order was cancelled or expired: the API answers the
 * exact declineOrder call and the wallet that must send it (the farm's payout wallet), which sends it as given.
 */
export function ReleasedPaymentRefund({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const { address } = useAccount();
  const queryClient = useQueryClient();
  const tx = useSendTransaction();
  const [wrongWallet, setWrongWallet] = useState<string | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const refund = async () => {
    setWrongWallet(undefined);
    setFailed(false);
    tx.reset();
    const call = await session
      .request<DeclineOrderCall>(`/api/orders/${orderId}/escrow-refund`, { method: "POST" })
      .catch(() => undefined);
    if (call === undefined) {
      setFailed(true);
      await queryClient.invalidateQueries({ queryKey: ["orders"] });
      return;
    }
    if (address?.toLowerCase() !== call.from) {
      setWrongWallet(call.from);
      return;
    }
    const hash = await tx.send({ to: call.to, data: call.data });
    if (hash !== undefined) await queryClient.invalidateQueries({ queryKey: ["orders"] });
  };
  const busy = tx.state.step === "confirming" || tx.state.step === "pending";
  return (
    <>
      <button type="button" className="button button-danger" disabled={busy} onClick={() => void refund()}>
        {t("escrow.refundReleased")}
      </button>
      {wrongWallet !== undefined && (
        <p className="error" role="alert">
          {t("escrow.refundFromPayoutWallet", { address: wrongWallet })}
        </p>
      )}
      {failed && (
        <p className="error" role="alert">
          {t("escrow.refundUnavailable")}
        </p>
      )}
      <TxStatus state={tx.state} />
    </>
  );
}
