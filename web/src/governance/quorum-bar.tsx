import { useTranslation } from "react-i18next";

import type { ProposalSummary } from "../../../protocol/api/governance";
import { useAgri } from "./use-agri";

/** The translation key of each vote choice. */
export const SUPPORT_KEYS = {
  for: "governance.support.for",
  against: "governance.support.against",
  abstain: "governance.support.abstain",
} as const;

/** For / Against / Abstain shares as bars, and the quorum progress (For + Abstain against the quorum). */
export function QuorumBar({ proposal }: { proposal: ProposalSummary }) {
  const { t } = useTranslation();
  const agri = useAgri();
  const { votes } = proposal;
  const total = BigInt(votes.for) + BigInt(votes.against) + BigInt(votes.abstain);
  const share = (value: string) => (total === 0n ? 0 : Number((BigInt(value) * 10_000n) / total) / 100);
  const rows = [
    ["for", votes.for],
    ["against", votes.against],
    ["abstain", votes.abstain],
  ] as const;
  return (
    <div className="gov-tally">
      {rows.map(([support, value]) => (
        <div key={support} className={`gov-tally-row gov-${support}`}>
          <span className="gov-tally-label">{t(SUPPORT_KEYS[support])}</span>
          <span className="gov-tally-value" data-testid={`tally-${support}`}>
            {agri(value)}
          </span>
          <progress max={100} value={share(value)} aria-label={t(SUPPORT_KEYS[support])} />
        </div>
      ))}
      <div className="gov-tally-row gov-quorum">
        <span className="gov-tally-label">{t("governance.proposal.quorum")}</span>
        <span className="gov-tally-value">
          {t("governance.proposal.quorumProgress", {
            percent: (proposal.quorumProgressBps / 100).toFixed(0),
            quorum: agri(proposal.quorum),
          })}
        </span>
        <progress max={10_000} value={proposal.quorumProgressBps} aria-label={t("governance.proposal.quorum")} />
      </div>
    </div>
  );
}
