import { useTranslation } from "react-i18next";

import type { ProposalStateName } from "../../hooks/governance/governance-api-types";

/** A proposal's state as a coloured label. */
export function StateBadge({ state }: { state: ProposalStateName }) {
  const { t } = useTranslation();
  return <span className={`gov-state gov-state-${state}`}>{t(`governance.state.${state}`)}</span>;
}
