/** What applying events needs to know about the chain beyond the events themselves. */
export interface ChainContext {
  chainId: number;
  /** The escrow's fee recipient (the DAO timelock), which OrderCompleted and OrderResolved credit implicitly. */
  treasury: string;
}
