import { useTranslation } from "react-i18next";

import type { ProposalState } from "../../../protocol/governance/proposal-states";

/** The translation key of each proposal state. */
export const STATE_KEYS: Record<ProposalState, string> = {
  pending: "governance.state.pending",
  active: "governance.state.active",
  canceled: "governance.state.canceled",
  defeated: "governance.state.defeated",
  succeeded: "governance.state.succeeded",
  queued: "governance.state.queued",
  expired: "governance.state.expired",
  executed: "governance.state.executed",
};

/** A proposal's state as a coloured label. */
export function StateBadge({ state }: { state: ProposalState }) {
  const { t } = useTranslation();
  return <span className={`gov-state gov-state-${state}`}>{t(STATE_KEYS[state])}</span>;
}
