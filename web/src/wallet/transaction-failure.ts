import { BaseError, ChainMismatchError, InsufficientFundsError, UserRejectedRequestError } from "viem";

/** Why a wallet transaction did not go through, in the words the page shows. */
export type TransactionFailure = "rejected" | "insufficientFunds" | "wrongNetwork" | "reverted" | "failed";

/** A transaction whose receipt says it reverted (the wallet sent it, the chain undid it). */
export class RevertedTransactionError extends Error {
  constructor(readonly hash: `0x${string}`) {
    super(`Transaction ${hash} reverted`);
    this.name = "RevertedTransactionError";
  }
}

/** Sorts an error from the wallet or the chain into the few cases a buyer can act on. */
export function transactionFailure(error: unknown): TransactionFailure {
  if (error instanceof RevertedTransactionError) return "reverted";
  if (!(error instanceof BaseError)) return "failed";
  const cause = error.walk(
    (inner) =>
      inner instanceof UserRejectedRequestError ||
      inner instanceof InsufficientFundsError ||
      inner instanceof ChainMismatchError ||
      (typeof inner === "object" && inner !== null && "code" in inner && inner.code === 4001),
  );
  if (cause instanceof InsufficientFundsError) return "insufficientFunds";
  if (cause instanceof ChainMismatchError) return "wrongNetwork";
  if (cause !== null) return "rejected";
  if (/insufficient funds|exceeds balance|ERC20InsufficientBalance/i.test(error.message)) return "insufficientFunds";
  if (/revert/i.test(error.message)) return "reverted";
  return "failed";
}

/** The translation key that explains `failure`. */
export const FAILURE_KEYS: Readonly<Record<TransactionFailure, string>> = {
  rejected: "tx.failure.rejected",
  insufficientFunds: "tx.failure.insufficientFunds",
  wrongNetwork: "tx.failure.wrongNetwork",
  reverted: "tx.failure.reverted",
  failed: "tx.failure.failed",
};
