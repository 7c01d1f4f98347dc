import type { DisputeParty } from "../../../protocol/vocabulary/order-vocabulary.js";
import type { Role } from "../../../protocol/vocabulary/roles.js";
import type { Order } from "../entities/Order.js";

/** Who asks: their id and roles, as the access token says. */
export interface DisputeActor {
  id: string;
  roles: readonly Role[];
}

/** Arbiters and admins see every dispute; only arbiters write to ones they are not a party of. */
export function isDisputeStaff(actor: DisputeActor): boolean {
  return actor.roles.includes("arbiter") || actor.roles.includes("admin");
}

/** The user's side of the order, if any. */
export function disputeSideOf(order: Order, farmOwnerId: string, userId: string): "buyer" | "farmer" | null {
  if (order.buyer.id === userId) return "buyer";
  if (farmOwnerId === userId) return "farmer";
  return null;
}

/**
 * How the user takes part: their side of the order, else arbiter when they hold the role (an arbiter who is also a
 * party counts as that party). Without `roles` (the author of a stored message) anyone else is the arbiter: only
 * parties and arbiters can write.
 */
export function disputePartyOf(
  order: Order,
  farmOwnerId: string,
  userId: string | null,
  roles?: readonly Role[],
): DisputeParty | null {
  if (userId === null) return null;
  return (
    disputeSideOf(order, farmOwnerId, userId) ?? (roles === undefined || roles.includes("arbiter") ? "arbiter" : null)
  );
}
