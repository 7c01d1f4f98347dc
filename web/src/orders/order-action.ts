import type { OrderAction, OrderActionKind } from "../../../protocol/api/orders";

/** The action of `kind` the API offers the viewer on the order, if it does: the web decides none of them itself. */
export function actionOf(order: { actions: OrderAction[] }, kind: OrderActionKind): OrderAction | undefined {
  return order.actions.find((action) => action.kind === kind);
}

/** The actions the viewer's wallet sends to the escrow (each with its exact call). */
export function walletActionsOf(order: { actions: OrderAction[] }): OrderAction[] {
  return order.actions.filter((action) => action.call !== null);
}
