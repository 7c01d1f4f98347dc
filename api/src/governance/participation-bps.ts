/** Votes cast / proposals whose vote has opened, in basis points (capped at 10000; 0 before any vote opened). */
export function participationBps(votesCast: number, opened: number): number {
  return opened === 0 ? 0 : Math.min(10_000, Math.floor((votesCast * 10_000) / opened));
}
