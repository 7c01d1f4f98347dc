import { expect } from "chai";
import { decodeFunctionData } from "viem";

import { marketplaceEscrowAbi } from "../../protocol/generated/contracts.js";
import type { Order } from "../../api/src/entities/Order.js";
import { orderActionsFor } from "../../api/src/orders/order-actions.js";
import type { OrderActionContext, OrderViewer } from "../../api/src/orders/order-actions.js";

const DAY = 86_400_000;
const NOW = new Date("2026-12-07T12:00:00Z");
const ESCROW_ADDRESS: `0x${string}` = `0x${"e5".repeat(20)}`;
const ESCROW = { chainId: 31337, address: ESCROW_ADDRESS };
const BUYER_WALLET = `0x${"b1".repeat(20)}`;
const FARM_WALLET = `0x${"f1".repeat(20)}`;

const buyer: OrderViewer = { id: "buyer", roles: ["buyer"] };
const farmer: OrderViewer = { id: "farmer", roles: ["buyer", "farmer"] };
const admin: OrderViewer = { id: "admin", roles: ["admin"] };
const stranger: OrderViewer = { id: "stranger", roles: ["buyer"] };

/** An order as the rules read it: only the fields they look at. */
function order(fields: Partial<Order>): Order {
  return {
    id: "order",
    buyer: { id: "buyer" },
    farm: { owner: { id: "farmer" } },
    paymentMethod: "card",
    status: "paid",
    paidAt: new Date(NOW.getTime() - DAY),
    shipBy: new Date(NOW.getTime() + DAY),
    shippedAt: null,
    deliveredAt: null,
    escrowOrderId: null,
    ...fields,
  } as unknown as Order;
}

function actionsOf(
  subject: Order,
  viewer: OrderViewer,
  onChain: { state: string; deadline: Date } | null = null,
  context: Partial<OrderActionContext> = {},
) {
  return orderActionsFor(
    subject,
    onChain === null
      ? null
      : { state: onChain.state, deadline: onChain.deadline.toISOString(), buyer: BUYER_WALLET, seller: FARM_WALLET },
    { viewer, now: NOW, escrow: ESCROW, disputeWindowMs: 14 * DAY, disputeOpen: false, ...context },
  );
}

const kinds = (actions: { kind: string }[]) => actions.map((action) => action.kind);

describe("API order actions (what a viewer may do with an order, as the API tells the web)", function () {
  describe("card orders", function () {
    it("let the buyer pay or cancel an unpaid order, and nobody else", function () {
      const unpaid = order({ status: "awaiting_payment", paidAt: null, shipBy: null });
      expect(actionsOf(unpaid, buyer)).to.deep.equal([
        { kind: "pay", call: null },
        { kind: "cancel", call: null },
      ]);
      expect(actionsOf(unpaid, farmer)).to.deep.equal([]);
      expect(actionsOf(unpaid, admin)).to.deep.equal([]);
    });

    it("let the farm ship a paid order by its deadline, both sides dispute it, and staff refund it", function () {
      const paid = order({});
      expect(kinds(actionsOf(paid, farmer))).to.deep.equal(["ship", "openDispute"]);
      expect(kinds(actionsOf(paid, buyer))).to.deep.equal(["openDispute"]);
      expect(kinds(actionsOf(paid, admin))).to.deep.equal(["refund"]);
      expect(kinds(actionsOf(paid, stranger))).to.deep.equal([]);
      const late = order({ shipBy: new Date(NOW.getTime() - 1_000) });
      expect(kinds(actionsOf(late, farmer))).to.deep.equal(["openDispute"]);
      expect(kinds(actionsOf(paid, buyer, null, { disputeOpen: true }))).to.deep.equal([]);
    });

    it("let the buyer confirm a shipped order and dispute it within the window after shipment", function () {
      const shipped = order({ status: "shipped", shippedAt: new Date(NOW.getTime() - 2 * DAY) });
      expect(kinds(actionsOf(shipped, buyer))).to.deep.equal(["confirmDelivery", "openDispute"]);
      const longAgo = order({ status: "delivered", deliveredAt: new Date(NOW.getTime() - 15 * DAY) });
      expect(kinds(actionsOf(longAgo, buyer))).to.deep.equal([]);
      expect(kinds(actionsOf(longAgo, admin))).to.deep.equal(["refund"]);
    });
  });

  describe("escrow orders, by their escrow order as indexed", function () {
    const linked = order({ paymentMethod: "escrow", escrowOrderId: "7", shipBy: null });
    const before = new Date(NOW.getTime() + DAY);
    const after = new Date(NOW.getTime() - 1_000);

    it("give the farm the markShipped call from its payout wallet before the ship deadline", function () {
      const [ship, dispute] = actionsOf(linked, farmer, { state: "Funded", deadline: before });
      expect(ship.kind).to.equal("ship");
      expect(ship.call).to.include({ chainId: 31337, to: ESCROW.address, from: FARM_WALLET, value: "0" });
      expect(decodeFunctionData({ abi: marketplaceEscrowAbi, data: ship.call!.data })).to.deep.include({
        functionName: "markShipped",
        args: [7n],
      });
      expect(dispute).to.deep.equal({ kind: "openDispute", call: null });
      expect(kinds(actionsOf(linked, buyer, { state: "Funded", deadline: before }))).to.deep.equal(["openDispute"]);
    });

    it("let the buyer reclaim a funded order after the ship deadline, from any wallet, and no longer dispute it", function () {
      const actions = actionsOf(linked, buyer, { state: "Funded", deadline: after });
      expect(kinds(actions)).to.deep.equal(["refundAfterTimeout"]);
      expect(actions[0].call).to.include({ from: null, functionName: "refundAfterTimeout" });
      expect(kinds(actionsOf(linked, farmer, { state: "Funded", deadline: after }))).to.deep.equal([]);
    });

    it("let the buyer confirm a shipped order from the paying wallet, and the farm complete it after the window", function () {
      const confirm = actionsOf(linked, buyer, { state: "Shipped", deadline: before })[0];
      expect(confirm.kind).to.equal("confirmDelivery");
      expect(confirm.call).to.include({ from: BUYER_WALLET, functionName: "confirmDelivery" });
      expect(kinds(actionsOf(linked, farmer, { state: "Shipped", deadline: after }))).to.deep.equal([
        "completeAfterTimeout",
      ]);
      expect(kinds(actionsOf(linked, farmer, { state: "Completed", deadline: after }))).to.deep.equal([]);
    });

    it("let the farm refund or ship a payment that came after the order ended, and the buyer dispute it", function () {
      const released = order({ paymentMethod: "escrow", status: "cancelled", escrowOrderId: "9", shipBy: null });
      const farm = actionsOf(released, farmer, { state: "Funded", deadline: before });
      expect(kinds(farm)).to.deep.equal(["ship", "declinePayment", "openDispute"]);
      expect(farm[1].call).to.include({ from: FARM_WALLET, functionName: "declineOrder" });
      expect(kinds(actionsOf(released, buyer, { state: "Funded", deadline: before }))).to.deep.equal(["openDispute"]);
    });

    it("offer no wallet call without a configured escrow, and no dispute before the payment is linked", function () {
      expect(
        kinds(actionsOf(linked, farmer, { state: "Funded", deadline: before }, { escrow: undefined })),
      ).to.deep.equal(["openDispute"]);
      const unlinked = order({ paymentMethod: "escrow", escrowOrderId: null, shipBy: null });
      expect(kinds(actionsOf(unlinked, buyer))).to.deep.equal([]);
    });
  });
});
