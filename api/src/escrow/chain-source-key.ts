/** The timeline key of an on-chain log: recorded once however often the sweep runs. */
export function chainSourceKey(chainId: number, txHash: string, logIndex: number): string {
  return `chain:${chainId}:${txHash}:${logIndex}`;
}
