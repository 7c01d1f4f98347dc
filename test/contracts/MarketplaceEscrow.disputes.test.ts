import { expect } from "chai";
import { network } from "hardhat";

import { asTimelock, openOrder, OrderState, Resolution, stateBit } from "../support/escrow-actions.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const HOUR = 60n * 60n;
const DAY = 24n * HOUR;
// 1 USDC: round enough to check the split arithmetic by hand.
const AMOUNT = 1_000_000n;
const MISSING_ORDER = 42n;
const FUNDED_OR_SHIPPED = ethers.toBeHex((1n << OrderState.Funded) | (1n << OrderState.Shipped), 32);

describe("MarketplaceEscrow: disputes", () => {
  /** A deployment with one funded MockUSDC order from the first buyer to the first farmer. */
  async function withFundedOrder() {
    const deployment = await deployLocal(connection);
    const { escrow, usdc, accounts } = deployment;
    const buyer = accounts.buyers[0];
    const seller = accounts.farmers[0];
    const orderId = await openOrder(escrow, buyer, seller, AMOUNT, { usdc });
    return {
      ...deployment,
      buyer,
      seller,
      arbiter: accounts.arbiter,
      stranger: accounts.others[0],
      usdcAddress: await usdc.getAddress(),
      treasury: await deployment.timelock.getAddress(),
      orderId,
    };
  }

  async function withShippedOrder() {
    const deployment = await withFundedOrder();
    await deployment.escrow.connect(deployment.seller).markShipped(deployment.orderId);
    return deployment;
  }

  /** Disputed by the buyer before shipping. */
  async function withDisputedOrder() {
    const deployment = await withFundedOrder();
    await deployment.escrow.connect(deployment.buyer).openDispute(deployment.orderId);
    return deployment;
  }

  /** Disputed by the buyer after the seller shipped. */
  async function withDisputedShippedOrder() {
    const deployment = await withShippedOrder();
    await deployment.escrow.connect(deployment.buyer).openDispute(deployment.orderId);
    return deployment;
  }

  describe("openDispute", () => {
    for (const shipped of [false, true]) {
      for (const disputant of ["buyer", "seller"] as const) {
        it(`lets the ${disputant} dispute a ${
          shipped ? "shipped" : "funded"
        } order, giving the arbiters the snapshotted timeout`, async () => {
          const deployment = await networkHelpers.loadFixture(shipped ? withShippedOrder : withFundedOrder);
          const { escrow, orderId } = deployment;
          const account = deployment[disputant];
          const disputedAt = BigInt(await time.latest()) + 10n;
          await time.setNextBlockTimestamp(disputedAt);

          await expect(escrow.connect(account).openDispute(orderId))
            .to.emit(escrow, "OrderDisputed")
            .withArgs(orderId, account.address, disputedAt + DAY);

          const order = await escrow.getOrder(orderId);
          expect(order.state).to.equal(OrderState.Disputed);
          expect(order.deadline).to.equal(disputedAt + DAY);
          expect(order.shippedBeforeDispute).to.equal(shipped);
          expect(order.settlementProposer).to.equal(ethers.ZeroAddress);
          expect(order.settlementBuyerBps).to.equal(0n);
        });
      }
    }

    it("uses the arbitration timeout the order snapshotted, not the one in force when disputed", async () => {
      const { escrow, timelock, buyer, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await escrow.connect(await asTimelock(connection, timelock)).setWindows(HOUR, HOUR, 7n * DAY);
      const disputedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(disputedAt);

      await expect(escrow.connect(buyer).openDispute(orderId))
        .to.emit(escrow, "OrderDisputed")
        .withArgs(orderId, buyer.address, disputedAt + DAY);
    });

    it("accepts a dispute exactly at the ship deadline", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline);
      await expect(escrow.connect(buyer).openDispute(orderId))
        .to.emit(escrow, "OrderDisputed")
        .withArgs(orderId, buyer.address, deadline + DAY);
    });

    it("rejects a dispute one second after the ship deadline", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(escrow.connect(buyer).openDispute(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlinePassed")
        .withArgs(orderId, deadline);
    });

    it("accepts a dispute exactly at the confirmation deadline of a shipped order", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline);
      await expect(escrow.connect(seller).openDispute(orderId))
        .to.emit(escrow, "OrderDisputed")
        .withArgs(orderId, seller.address, deadline + DAY);
    });

    it("rejects a dispute after the confirmation window of a shipped order", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);

      await expect(escrow.connect(seller).openDispute(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlinePassed")
        .withArgs(orderId, deadline);
    });

    it("rejects anyone who is neither the buyer nor the seller, even an arbiter", async () => {
      const { escrow, stranger, arbiter, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(stranger).openDispute(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotParty")
        .withArgs(orderId, stranger.address);
      await expect(escrow.connect(arbiter).openDispute(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotParty")
        .withArgs(orderId, arbiter.address);
    });

    it("rejects an order that is completed, refunded, already disputed or resolved", async () => {
      const { escrow, usdc, buyer, seller, arbiter, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(seller).openDispute(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Disputed, FUNDED_OR_SHIPPED);
      await escrow.connect(arbiter).rule(orderId, 5_000);
      await expect(escrow.connect(buyer).openDispute(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Resolved, FUNDED_OR_SHIPPED);

      const completed = await openOrder(escrow, buyer, seller, AMOUNT, { usdc });
      await escrow.connect(seller).markShipped(completed);
      await escrow.connect(buyer).confirmDelivery(completed);
      await expect(escrow.connect(buyer).openDispute(completed))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(completed, OrderState.Completed, FUNDED_OR_SHIPPED);

      const refunded = await openOrder(escrow, buyer, seller, AMOUNT, { usdc });
      await escrow.connect(seller).declineOrder(refunded);
      await expect(escrow.connect(buyer).openDispute(refunded))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(refunded, OrderState.Refunded, FUNDED_OR_SHIPPED);
    });

    it("reports a nonexistent order", async () => {
      const { escrow, buyer } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(buyer).openDispute(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });

    it("stops the seller from shipping and the buyer from confirming", async () => {
      const { escrow, buyer, seller, orderId } = await networkHelpers.loadFixture(withDisputedShippedOrder);
      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Disputed, stateBit(OrderState.Shipped));
      await expect(escrow.connect(seller).markShipped(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Disputed, stateBit(OrderState.Funded));
    });

    it("still opens disputes while new orders are paused", async () => {
      const { escrow, accounts, buyer, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await escrow.connect(accounts.deployer).setPaused(true);
      await escrow.connect(buyer).openDispute(orderId);
      expect((await escrow.getOrder(orderId)).state).to.equal(OrderState.Disputed);
    });
  });

  describe("proposeSettlement", () => {
    it("records the proposal and who made it", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(buyer).proposeSettlement(orderId, 7_000))
        .to.emit(escrow, "SettlementProposed")
        .withArgs(orderId, buyer.address, 7_000n);

      const order = await escrow.getOrder(orderId);
      expect(order.settlementProposer).to.equal(buyer.address);
      expect(order.settlementBuyerBps).to.equal(7_000n);
      expect(order.state).to.equal(OrderState.Disputed);
    });

    it("replaces an earlier proposal with the latest one, whoever made it", async () => {
      const { escrow, buyer, seller, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      await expect(escrow.connect(seller).proposeSettlement(orderId, 4_000))
        .to.emit(escrow, "SettlementProposed")
        .withArgs(orderId, seller.address, 4_000n);

      const order = await escrow.getOrder(orderId);
      expect(order.settlementProposer).to.equal(seller.address);
      expect(order.settlementBuyerBps).to.equal(4_000n);
    });

    it("accepts a split of 10,000 bps and rejects 10,001", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(seller).proposeSettlement(orderId, 10_000);
      await expect(escrow.connect(seller).proposeSettlement(orderId, 10_001))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidSplit")
        .withArgs(10_001n);
    });

    it("rejects anyone who is neither the buyer nor the seller", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(stranger).proposeSettlement(orderId, 5_000))
        .to.be.revertedWithCustomError(escrow, "EscrowNotParty")
        .withArgs(orderId, stranger.address);
    });

    it("rejects an order that is not disputed", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await expect(escrow.connect(buyer).proposeSettlement(orderId, 5_000))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Shipped, stateBit(OrderState.Disputed));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, stranger } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(stranger).proposeSettlement(MISSING_ORDER, 5_000))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("acceptSettlement", () => {
    it("resolves the dispute on the proposed split, charging the fee on the seller's part only", async () => {
      const { escrow, buyer, seller, usdcAddress, treasury, orderId } =
        await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      const resolvedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(resolvedAt);

      // Buyer 70% = 700,000; seller's 300,000 minus 2.5% (7,500) = 292,500.
      await expect(escrow.connect(seller).acceptSettlement(orderId, 7_000))
        .to.emit(escrow, "OrderResolved")
        .withArgs(orderId, Resolution.Settlement, ethers.ZeroAddress, usdcAddress, 7_000n, 700_000n, 292_500n, 7_500n);

      expect(await escrow.creditOf(buyer.address, usdcAddress)).to.equal(700_000n);
      expect(await escrow.creditOf(seller.address, usdcAddress)).to.equal(292_500n);
      expect(await escrow.creditOf(treasury, usdcAddress)).to.equal(7_500n);
      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Resolved);
      expect(order.deadline).to.equal(resolvedAt);
      expect(order.settlementProposer).to.equal(buyer.address);
      expect(order.settlementBuyerBps).to.equal(7_000n);
    });

    it("lets the first proposer accept the other party's replacement proposal", async () => {
      const { escrow, buyer, seller, usdcAddress, orderId } =
        await networkHelpers.loadFixture(withDisputedShippedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      await escrow.connect(seller).proposeSettlement(orderId, 4_000);

      // Buyer 40% = 400,000; seller's 600,000 minus 2.5% (15,000) = 585,000.
      await expect(escrow.connect(buyer).acceptSettlement(orderId, 4_000))
        .to.emit(escrow, "OrderResolved")
        .withArgs(orderId, Resolution.Settlement, ethers.ZeroAddress, usdcAddress, 4_000n, 400_000n, 585_000n, 15_000n);
    });

    it("does not let the proposer accept their own proposal", async () => {
      const { escrow, buyer, seller, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      await escrow.connect(seller).proposeSettlement(orderId, 4_000);
      await expect(escrow.connect(seller).acceptSettlement(orderId, 4_000))
        .to.be.revertedWithCustomError(escrow, "EscrowNoSettlementToAccept")
        .withArgs(orderId);
    });

    it("rejects accepting when nothing was proposed", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(buyer).acceptSettlement(orderId, 0))
        .to.be.revertedWithCustomError(escrow, "EscrowNoSettlementToAccept")
        .withArgs(orderId);
    });

    it("rejects accepting a split other than the one standing", async () => {
      const { escrow, buyer, seller, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      await expect(escrow.connect(seller).acceptSettlement(orderId, 6_000))
        .to.be.revertedWithCustomError(escrow, "EscrowSettlementMismatch")
        .withArgs(orderId, 7_000n, 6_000n);
    });

    it("rejects anyone who is neither the buyer nor the seller", async () => {
      const { escrow, buyer, stranger, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      await expect(escrow.connect(stranger).acceptSettlement(orderId, 7_000))
        .to.be.revertedWithCustomError(escrow, "EscrowNotParty")
        .withArgs(orderId, stranger.address);
    });

    it("rejects accepting once the dispute is resolved", async () => {
      const { escrow, buyer, seller, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(buyer).proposeSettlement(orderId, 7_000);
      await escrow.connect(seller).acceptSettlement(orderId, 7_000);
      await expect(escrow.connect(seller).acceptSettlement(orderId, 7_000))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Resolved, stateBit(OrderState.Disputed));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, seller } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(seller).acceptSettlement(MISSING_ORDER, 0))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("rule", () => {
    // Worked by hand for 1 USDC and the local 2.5% fee, charged on the seller's part only.
    const splits = [
      { buyerBps: 0n, buyerAmount: 0n, sellerAmount: 975_000n, fee: 25_000n },
      { buyerBps: 3_333n, buyerAmount: 333_300n, sellerAmount: 650_033n, fee: 16_667n },
      { buyerBps: 5_000n, buyerAmount: 500_000n, sellerAmount: 487_500n, fee: 12_500n },
      { buyerBps: 10_000n, buyerAmount: 1_000_000n, sellerAmount: 0n, fee: 0n },
    ];
    for (const { buyerBps, buyerAmount, sellerAmount, fee } of splits) {
      it(`credits exact shares when the arbiter gives the buyer ${buyerBps} bps`, async () => {
        const { escrow, buyer, seller, arbiter, usdcAddress, treasury, orderId } =
          await networkHelpers.loadFixture(withDisputedShippedOrder);

        await expect(escrow.connect(arbiter).rule(orderId, buyerBps))
          .to.emit(escrow, "OrderResolved")
          .withArgs(orderId, Resolution.Ruling, arbiter.address, usdcAddress, buyerBps, buyerAmount, sellerAmount, fee);

        expect(buyerAmount + sellerAmount + fee).to.equal(AMOUNT);
        expect(await escrow.creditOf(buyer.address, usdcAddress)).to.equal(buyerAmount);
        expect(await escrow.creditOf(seller.address, usdcAddress)).to.equal(sellerAmount);
        expect(await escrow.creditOf(treasury, usdcAddress)).to.equal(fee);
        expect((await escrow.getOrder(orderId)).state).to.equal(OrderState.Resolved);
      });
    }

    it("rejects a caller without the arbiter role", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(stranger).rule(orderId, 5_000))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await escrow.ARBITER_ROLE());
    });

    it("rejects an arbiter who is the buyer or the seller of the order", async () => {
      const { escrow, timelock, buyer, seller, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      const dao = await asTimelock(connection, timelock);
      const arbiterRole = await escrow.ARBITER_ROLE();
      await escrow.connect(dao).grantRole(arbiterRole, buyer.address);
      await escrow.connect(dao).grantRole(arbiterRole, seller.address);

      await expect(escrow.connect(buyer).rule(orderId, 10_000))
        .to.be.revertedWithCustomError(escrow, "EscrowArbiterIsParty")
        .withArgs(orderId, buyer.address);
      await expect(escrow.connect(seller).rule(orderId, 0))
        .to.be.revertedWithCustomError(escrow, "EscrowArbiterIsParty")
        .withArgs(orderId, seller.address);
    });

    it("accepts a ruling exactly at the arbitration deadline", async () => {
      const { escrow, arbiter, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await time.setNextBlockTimestamp((await escrow.getOrder(orderId)).deadline);
      await expect(escrow.connect(arbiter).rule(orderId, 5_000)).to.emit(escrow, "OrderResolved");
    });

    it("rejects a ruling one second after the arbitration deadline", async () => {
      const { escrow, arbiter, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(escrow.connect(arbiter).rule(orderId, 5_000))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlinePassed")
        .withArgs(orderId, deadline);
    });

    it("rejects a split above 10,000 bps", async () => {
      const { escrow, arbiter, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(arbiter).rule(orderId, 10_001))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidSplit")
        .withArgs(10_001n);
    });

    it("rejects an order that is not disputed", async () => {
      const { escrow, arbiter, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(arbiter).rule(orderId, 5_000))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Funded, stateBit(OrderState.Disputed));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, arbiter } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(arbiter).rule(MISSING_ORDER, 5_000))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });

    it("still rules while new orders are paused", async () => {
      const { escrow, accounts, arbiter, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(accounts.deployer).setPaused(true);
      await expect(escrow.connect(arbiter).rule(orderId, 5_000)).to.emit(escrow, "OrderResolved");
    });
  });

  describe("resolveAfterTimeout", () => {
    it("rejects resolving exactly at the arbitration deadline", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withDisputedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline);
      await expect(escrow.connect(stranger).resolveAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlineNotReached")
        .withArgs(orderId, deadline);
    });

    it("refunds the buyer in full, without a fee, when the order was never shipped", async () => {
      const { escrow, buyer, seller, stranger, usdcAddress, treasury, orderId } =
        await networkHelpers.loadFixture(withDisputedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);

      await expect(escrow.connect(stranger).resolveAfterTimeout(orderId))
        .to.emit(escrow, "OrderResolved")
        .withArgs(orderId, Resolution.Timeout, ethers.ZeroAddress, usdcAddress, 10_000n, AMOUNT, 0n, 0n);

      expect(await escrow.creditOf(buyer.address, usdcAddress)).to.equal(AMOUNT);
      expect(await escrow.creditOf(seller.address, usdcAddress)).to.equal(0n);
      expect(await escrow.creditOf(treasury, usdcAddress)).to.equal(0n);
      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Resolved);
      expect(order.deadline).to.equal(deadline + 1n);
    });

    it("splits evenly, with the fee on the seller's half, when the order had been shipped", async () => {
      const { escrow, buyer, seller, stranger, usdcAddress, treasury, orderId } =
        await networkHelpers.loadFixture(withDisputedShippedOrder);
      await time.setNextBlockTimestamp((await escrow.getOrder(orderId)).deadline + 1n);

      await expect(escrow.connect(stranger).resolveAfterTimeout(orderId))
        .to.emit(escrow, "OrderResolved")
        .withArgs(orderId, Resolution.Timeout, ethers.ZeroAddress, usdcAddress, 5_000n, 500_000n, 487_500n, 12_500n);

      expect(await escrow.creditOf(buyer.address, usdcAddress)).to.equal(500_000n);
      expect(await escrow.creditOf(seller.address, usdcAddress)).to.equal(487_500n);
      expect(await escrow.creditOf(treasury, usdcAddress)).to.equal(12_500n);
    });

    it("ignores a settlement that was proposed but never accepted", async () => {
      const { escrow, seller, stranger, usdcAddress, orderId } =
        await networkHelpers.loadFixture(withDisputedShippedOrder);
      await escrow.connect(seller).proposeSettlement(orderId, 1_000);
      await time.increaseTo((await escrow.getOrder(orderId)).deadline + 1n);

      await expect(escrow.connect(stranger).resolveAfterTimeout(orderId))
        .to.emit(escrow, "OrderResolved")
        .withArgs(orderId, Resolution.Timeout, ethers.ZeroAddress, usdcAddress, 5_000n, 500_000n, 487_500n, 12_500n);
    });

    it("rejects an order that is not disputed", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await time.increase(2n * DAY);
      await expect(escrow.connect(stranger).resolveAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Shipped, stateBit(OrderState.Disputed));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, stranger } = await networkHelpers.loadFixture(withDisputedOrder);
      await expect(escrow.connect(stranger).resolveAfterTimeout(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });

    it("still resolves while new orders are paused, and the credits can be withdrawn", async () => {
      const { escrow, usdc, accounts, buyer, stranger, usdcAddress, orderId } =
        await networkHelpers.loadFixture(withDisputedOrder);
      await escrow.connect(accounts.deployer).setPaused(true);
      await time.increase(2n * DAY);

      await escrow.connect(stranger).resolveAfterTimeout(orderId);
      await expect(escrow.connect(stranger).withdrawFor(buyer.address, usdcAddress)).to.changeTokenBalances(
        ethers,
        usdc,
        [escrow, buyer],
        [-AMOUNT, AMOUNT],
      );
    });
  });
});
