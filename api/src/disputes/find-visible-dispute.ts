import type { EntityManager } from "@mikro-orm/postgresql";

import { Dispute } from "../entities/Dispute.js";
import { Order } from "../entities/Order.js";
import { ForbiddenError, NotFoundError } from "../errors.js";
import { DisputeClosedError } from "./dispute-errors.js";
import { disputePartyOf, disputeSideOf, isDisputeStaff } from "./dispute-party.js";
import type { DisputeParty } from "../../../protocol/vocabulary/order-vocabulary.js";
import type { DisputeActor } from "./dispute-party.js";

/** The dispute and its order, if the actor may see it; 404 otherwise, as for no dispute. */
export async function findVisibleDispute(
  em: EntityManager,
  actor: DisputeActor,
  disputeId: string,
): Promise<{ dispute: Dispute; order: Order; farmOwnerId: string }> {
  const dispute = await em.findOne(Dispute, { id: disputeId });
  if (dispute === null) throw new NotFoundError("No dispute has this id");
  const order = await em.findOneOrFail(Order, { id: dispute.order.id }, { populate: ["farm"] });
  const farmOwnerId = order.farm.owner.id;
  if (disputeSideOf(order, farmOwnerId, actor.id) === null && !isDisputeStaff(actor)) {
    throw new NotFoundError("No dispute has this id");
  }
  return { dispute, order, farmOwnerId };
}

/** As `findVisibleDispute`, and the actor may write to it: a party or an arbiter (an admin only reads), while it is open. */
export async function findWritableDispute(
  em: EntityManager,
  actor: DisputeActor,
  disputeId: string,
): Promise<{ dispute: Dispute; order: Order; farmOwnerId: string; party: DisputeParty }> {
  const found = await findVisibleDispute(em, actor, disputeId);
  const party = disputePartyOf(found.order, found.farmOwnerId, actor.id, actor.roles);
  if (party === null) throw new ForbiddenError("Only the order's buyer and farmer, and arbiters, take part");
  if (found.dispute.status !== "open") throw new DisputeClosedError(found.dispute.id, found.dispute.status);
  return { ...found, party };
}
