import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import type { DisputeDetail } from "../../../protocol/api/disputes";
import { RulingForm } from "../disputes/ruling-form";
import { useRuleDispute } from "../disputes/use-disputes";
import { ChainGuard } from "./chain-guard";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { chainDeployment } from "./wallet-chain";
import { WalletProviders } from "./wallet-providers";

function Ruling({ dispute }: { dispute: DisputeDetail }) {
  const rule = useRuleDispute(dispute.id);
  const tx = useSendTransaction();
  const queryClient = useQueryClient();
  // Mined, the ruling waits only for the indexer: ruling again would send a call the escrow now refuses.
  const busy =
    rule.isPending || tx.state.step === "confirming" || tx.state.step === "pending" || tx.state.step === "mined";
  const onRule = async (buyerShareMinor: number) => {
    const ruled = await rule.mutateAsync(buyerShareMinor).catch(() => undefined);
    if (ruled?.escrowCall == null) return;
    await tx.send({ to: ruled.escrowCall.to, data: ruled.escrowCall.data });
    await queryClient.invalidateQueries({ queryKey: ["orders"] });
  };
  return (
    <>
      <RulingForm
        totalMinor={dispute.order.totalMinor}
        currency={dispute.order.currency}
        onRule={(share) => void onRule(share)}
        busy={busy}
        error={rule.error}
      />
      <TxStatus state={tx.state} />
    </>
  );
}

/**
 * An arbiter's ruling on an escrow order's dispute: the API records the split and returns the escrow's `rule` call,
 * which the arbiter's wallet (holding ARBITER_ROLE) sends; the dispute is ruled once the indexer reports it.
 */
export function ArbiterEscrowRuling({ dispute }: { dispute: DisputeDetail }) {
  const { t } = useTranslation();
  const escrow = chainDeployment?.addresses.MarketplaceEscrow;
  return (
    <WalletProviders>
      <p className="hint">{t("arbiter.escrowHint")}</p>
      <ChainGuard escrowAddress={escrow}>
        <Ruling dispute={dispute} />
      </ChainGuard>
    </WalletProviders>
  );
}
