import { expect } from "chai";
import { network } from "hardhat";

import { feeOn, openOrder, OrderState, stateBit } from "../support/escrow-actions.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const HOUR = 60n * 60n;
const FEE_BPS = 250n;
const ETH = ethers.ZeroAddress;
// Not a round number, so the fee's rounding down shows.
const AMOUNT = ethers.parseEther("1.2345") + 7n;
const USDC_AMOUNT = 123_456_789n;
const MISSING_ORDER = 42n;

describe("MarketplaceEscrow: order lifecycle", () => {
  const fixture = () => deployLocal(connection);

  /** A deployment with one funded ETH order from the first buyer to the first farmer. */
  async function withFundedOrder() {
    const deployment = await deployLocal(connection);
    const { escrow, accounts } = deployment;
    const buyer = accounts.buyers[0];
    const seller = accounts.farmers[0];
    const orderId = await openOrder(escrow, buyer, seller, AMOUNT);
    return { ...deployment, buyer, seller, stranger: accounts.others[0], orderId };
  }

  /** As {withFundedOrder}, with the order already marked shipped. */
  async function withShippedOrder() {
    const deployment = await withFundedOrder();
    await deployment.escrow.connect(deployment.seller).markShipped(deployment.orderId);
    return deployment;
  }

  describe("markShipped", () => {
    it("lets the seller ship a funded order and starts the buyer's confirmation window", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const shippedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(shippedAt);

      await expect(escrow.connect(seller).markShipped(orderId))
        .to.emit(escrow, "OrderShipped")
        .withArgs(orderId, seller.address, shippedAt + HOUR);

      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Shipped);
      expect(order.deadline).to.equal(shippedAt + HOUR);
    });

    it("accepts shipping exactly at the ship deadline", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline);

      await expect(escrow.connect(seller).markShipped(orderId))
        .to.emit(escrow, "OrderShipped")
        .withArgs(orderId, seller.address, deadline + HOUR);
    });

    it("rejects shipping one second after the ship deadline", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);

      await expect(escrow.connect(seller).markShipped(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlinePassed")
        .withArgs(orderId, deadline);
    });

    it("rejects anyone but the seller", async () => {
      const { escrow, buyer, stranger, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(buyer).markShipped(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotSeller")
        .withArgs(orderId, buyer.address);
      await expect(escrow.connect(stranger).markShipped(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotSeller")
        .withArgs(orderId, stranger.address);
    });

    it("rejects an order that is no longer funded", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await expect(escrow.connect(seller).markShipped(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Shipped, stateBit(OrderState.Funded));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, stranger } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(stranger).markShipped(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("confirmDelivery", () => {
    it("credits the seller the amount minus the fee and the treasury the fee", async () => {
      const { escrow, timelock, buyer, seller, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      const fee = feeOn(AMOUNT, FEE_BPS);
      const payout = AMOUNT - fee;
      const treasury = await timelock.getAddress();
      const confirmedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(confirmedAt);

      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(orderId, seller.address, ETH, payout, fee, false);

      expect(payout + fee).to.equal(AMOUNT);
      expect(fee).to.equal((AMOUNT * 250n) / 10_000n);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(payout);
      expect(await escrow.creditOf(treasury, ETH)).to.equal(fee);
      expect(await escrow.creditOf(buyer.address, ETH)).to.equal(0n);
      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Completed);
      expect(order.deadline).to.equal(confirmedAt);
    });

    it("credits a MockUSDC order in MockUSDC", async () => {
      const { escrow, usdc, timelock, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const usdcAddress = await usdc.getAddress();
      const orderId = await openOrder(escrow, buyer, seller, USDC_AMOUNT, { usdc });
      await escrow.connect(seller).markShipped(orderId);
      const fee = feeOn(USDC_AMOUNT, FEE_BPS);

      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(orderId, seller.address, usdcAddress, USDC_AMOUNT - fee, fee, false);

      expect(await escrow.creditOf(seller.address, usdcAddress)).to.equal(USDC_AMOUNT - fee);
      expect(await escrow.creditOf(await timelock.getAddress(), usdcAddress)).to.equal(fee);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(0n);
    });

    it("charges no fee when the fee rounds down to zero", async () => {
      const { escrow, timelock, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const orderId = await openOrder(escrow, buyer, seller, 39n);
      await escrow.connect(seller).markShipped(orderId);

      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(orderId, seller.address, ETH, 39n, 0n, false);

      expect(await escrow.creditOf(await timelock.getAddress(), ETH)).to.equal(0n);
    });

    it("adds up the credits of several orders to the same seller", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [seller] = accounts.farmers;
      const amounts = [AMOUNT, 10_000n];
      for (const [i, amount] of amounts.entries()) {
        const orderId = await openOrder(escrow, accounts.buyers[i], seller, amount);
        await escrow.connect(seller).markShipped(orderId);
        await escrow.connect(accounts.buyers[i]).confirmDelivery(orderId);
      }
      const expected = amounts.reduce((sum, amount) => sum + amount - feeOn(amount, FEE_BPS), 0n);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(expected);
    });

    it("lets the buyer confirm after the confirmation deadline as long as nobody completed the order", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await time.increaseTo((await escrow.getOrder(orderId)).deadline + 10n);
      await escrow.connect(buyer).confirmDelivery(orderId);
      expect((await escrow.getOrder(orderId)).state).to.equal(OrderState.Completed);
    });

    it("rejects anyone but the buyer", async () => {
      const { escrow, seller, stranger, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await expect(escrow.connect(seller).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotBuyer")
        .withArgs(orderId, seller.address);
      await expect(escrow.connect(stranger).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotBuyer")
        .withArgs(orderId, stranger.address);
    });

    it("rejects an order that is not shipped", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Funded, stateBit(OrderState.Shipped));
    });

    it("rejects confirming a completed order a second time", async () => {
      const { escrow, buyer, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await escrow.connect(buyer).confirmDelivery(orderId);
      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Completed, stateBit(OrderState.Shipped));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, buyer } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(buyer).confirmDelivery(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("completeAfterTimeout", () => {
    it("rejects completing exactly at the confirmation deadline", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline);

      await expect(escrow.connect(stranger).completeAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlineNotReached")
        .withArgs(orderId, deadline);
    });

    it("lets anyone complete the order one second after the confirmation deadline, with the fee charged", async () => {
      const { escrow, timelock, seller, stranger, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);
      const fee = feeOn(AMOUNT, FEE_BPS);

      await expect(escrow.connect(stranger).completeAfterTimeout(orderId))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(orderId, seller.address, ETH, AMOUNT - fee, fee, true);

      expect(await escrow.creditOf(seller.address, ETH)).to.equal(AMOUNT - fee);
      expect(await escrow.creditOf(await timelock.getAddress(), ETH)).to.equal(fee);
      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Completed);
      expect(order.deadline).to.equal(deadline + 1n);
    });

    it("rejects an order that is not shipped", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await time.increase(2n * HOUR);
      await expect(escrow.connect(stranger).completeAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Funded, stateBit(OrderState.Shipped));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, stranger } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(stranger).completeAfterTimeout(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("declineOrder", () => {
    it("lets the seller decline a funded order, crediting the buyer in full without a fee", async () => {
      const { escrow, timelock, buyer, seller, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const declinedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(declinedAt);

      await expect(escrow.connect(seller).declineOrder(orderId))
        .to.emit(escrow, "OrderRefunded")
        .withArgs(orderId, buyer.address, ETH, AMOUNT, false);

      expect(await escrow.creditOf(buyer.address, ETH)).to.equal(AMOUNT);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(0n);
      expect(await escrow.creditOf(await timelock.getAddress(), ETH)).to.equal(0n);
      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Refunded);
      expect(order.deadline).to.equal(declinedAt);
    });

    it("refunds a MockUSDC order in MockUSDC", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const usdcAddress = await usdc.getAddress();
      const orderId = await openOrder(escrow, buyer, seller, USDC_AMOUNT, { usdc });

      await expect(escrow.connect(seller).declineOrder(orderId))
        .to.emit(escrow, "OrderRefunded")
        .withArgs(orderId, buyer.address, usdcAddress, USDC_AMOUNT, false);
      expect(await escrow.creditOf(buyer.address, usdcAddress)).to.equal(USDC_AMOUNT);
    });

    it("rejects anyone but the seller", async () => {
      const { escrow, buyer, stranger, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(buyer).declineOrder(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotSeller")
        .withArgs(orderId, buyer.address);
      await expect(escrow.connect(stranger).declineOrder(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowNotSeller")
        .withArgs(orderId, stranger.address);
    });

    it("rejects an order that is already shipped", async () => {
      const { escrow, seller, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await expect(escrow.connect(seller).declineOrder(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Shipped, stateBit(OrderState.Funded));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, seller } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(seller).declineOrder(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("refundAfterTimeout", () => {
    it("rejects refunding exactly at the ship deadline", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline);

      await expect(escrow.connect(stranger).refundAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowDeadlineNotReached")
        .withArgs(orderId, deadline);
    });

    it("lets anyone refund the buyer one second after the ship deadline", async () => {
      const { escrow, buyer, stranger, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      const deadline = (await escrow.getOrder(orderId)).deadline;
      await time.setNextBlockTimestamp(deadline + 1n);

      await expect(escrow.connect(stranger).refundAfterTimeout(orderId))
        .to.emit(escrow, "OrderRefunded")
        .withArgs(orderId, buyer.address, ETH, AMOUNT, true);

      expect(await escrow.creditOf(buyer.address, ETH)).to.equal(AMOUNT);
      const order = await escrow.getOrder(orderId);
      expect(order.state).to.equal(OrderState.Refunded);
      expect(order.deadline).to.equal(deadline + 1n);
    });

    it("rejects an order that was shipped", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await time.increase(3n * HOUR);
      await expect(escrow.connect(stranger).refundAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Shipped, stateBit(OrderState.Funded));
    });

    it("rejects refunding an order twice", async () => {
      const { escrow, stranger, orderId } = await networkHelpers.loadFixture(withFundedOrder);
      await time.increase(2n * HOUR);
      await escrow.connect(stranger).refundAfterTimeout(orderId);
      await expect(escrow.connect(stranger).refundAfterTimeout(orderId))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(orderId, OrderState.Refunded, stateBit(OrderState.Funded));
    });

    it("reports a nonexistent order", async () => {
      const { escrow, stranger } = await networkHelpers.loadFixture(withFundedOrder);
      await expect(escrow.connect(stranger).refundAfterTimeout(MISSING_ORDER))
        .to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder")
        .withArgs(MISSING_ORDER);
    });
  });

  describe("withdraw", () => {
    /** A completed ETH order: the seller and the treasury hold credits. */
    async function withCompletedOrder() {
      const deployment = await withShippedOrder();
      await deployment.escrow.connect(deployment.buyer).confirmDelivery(deployment.orderId);
      return deployment;
    }

    it("sends the seller's whole ETH credit to the seller and leaves a credit of zero", async () => {
      const { escrow, seller } = await networkHelpers.loadFixture(withCompletedOrder);
      const credit = await escrow.creditOf(seller.address, ETH);

      const tx = escrow.connect(seller).withdraw(ETH, seller.address);

      await expect(tx).to.emit(escrow, "Withdrawn").withArgs(seller.address, ETH, seller.address, credit);
      await expect(tx).to.changeEtherBalances(ethers, [escrow, seller], [-credit, credit]);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(0n);
    });

    it("rejects a second withdrawal once the credit is spent", async () => {
      const { escrow, seller } = await networkHelpers.loadFixture(withCompletedOrder);
      await escrow.connect(seller).withdraw(ETH, seller.address);
      await expect(escrow.connect(seller).withdraw(ETH, seller.address))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(seller.address, ETH);
    });

    it("pays out a credit earned after an earlier withdrawal", async () => {
      const { escrow, buyer, seller } = await networkHelpers.loadFixture(withCompletedOrder);
      await escrow.connect(seller).withdraw(ETH, seller.address);
      const next = await openOrder(escrow, buyer, seller, 10_000n);
      await escrow.connect(seller).markShipped(next);
      await escrow.connect(buyer).confirmDelivery(next);
      const credit = 10_000n - feeOn(10_000n, FEE_BPS);

      expect(await escrow.creditOf(seller.address, ETH)).to.equal(credit);
      await expect(escrow.connect(seller).withdraw(ETH, seller.address)).to.changeEtherBalances(
        ethers,
        [escrow, seller],
        [-credit, credit],
      );
    });

    it("sends the credit to another address when asked", async () => {
      const { escrow, seller, stranger } = await networkHelpers.loadFixture(withCompletedOrder);
      const credit = await escrow.creditOf(seller.address, ETH);

      const tx = escrow.connect(seller).withdraw(ETH, stranger.address);

      await expect(tx).to.emit(escrow, "Withdrawn").withArgs(seller.address, ETH, stranger.address, credit);
      await expect(tx).to.changeEtherBalances(ethers, [escrow, seller, stranger], [-credit, 0n, credit]);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(0n);
    });

    it("sends a MockUSDC credit in MockUSDC", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const usdcAddress = await usdc.getAddress();
      const orderId = await openOrder(escrow, buyer, seller, USDC_AMOUNT, { usdc });
      await escrow.connect(seller).declineOrder(orderId);

      const tx = escrow.connect(buyer).withdraw(usdcAddress, buyer.address);

      await expect(tx).to.emit(escrow, "Withdrawn").withArgs(buyer.address, usdcAddress, buyer.address, USDC_AMOUNT);
      await expect(tx).to.changeTokenBalances(ethers, usdc, [escrow, buyer], [-USDC_AMOUNT, USDC_AMOUNT]);
      expect(await escrow.creditOf(buyer.address, usdcAddress)).to.equal(0n);
    });

    it("rejects withdrawing to address(0)", async () => {
      const { escrow, seller } = await networkHelpers.loadFixture(withCompletedOrder);
      await expect(escrow.connect(seller).withdraw(ETH, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        escrow,
        "EscrowZeroAddress",
      );
    });

    it("rejects an account with no credit in that token", async () => {
      const { escrow, usdc, seller, stranger } = await networkHelpers.loadFixture(withCompletedOrder);
      await expect(escrow.connect(stranger).withdraw(ETH, stranger.address))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(stranger.address, ETH);
      const usdcAddress = await usdc.getAddress();
      await expect(escrow.connect(seller).withdraw(usdcAddress, seller.address))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(seller.address, usdcAddress);
    });

    it("reverts and keeps the credit when the recipient refuses ETH", async () => {
      const { escrow, usdc, seller } = await networkHelpers.loadFixture(withCompletedOrder);
      const credit = await escrow.creditOf(seller.address, ETH);
      // MockUSDC has no receive function, so it refuses plain ETH.
      const refuser = await usdc.getAddress();

      await expect(escrow.connect(seller).withdraw(ETH, refuser))
        .to.be.revertedWithCustomError(escrow, "EscrowEtherTransferFailed")
        .withArgs(refuser, credit);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(credit);
    });
  });

  describe("withdrawFor", () => {
    async function withCompletedUsdcOrder() {
      const deployment = await deployLocal(connection);
      const { escrow, usdc, accounts } = deployment;
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const orderId = await openOrder(escrow, buyer, seller, USDC_AMOUNT, { usdc });
      await escrow.connect(seller).markShipped(orderId);
      await escrow.connect(buyer).confirmDelivery(orderId);
      return { ...deployment, seller, stranger: accounts.others[0] };
    }

    it("lets a stranger send the seller's ETH credit to the seller, never to themselves", async () => {
      const { escrow, seller, stranger, buyer, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await escrow.connect(buyer).confirmDelivery(orderId);
      const credit = AMOUNT - feeOn(AMOUNT, FEE_BPS);

      const tx = escrow.connect(stranger).withdrawFor(seller.address, ETH);

      await expect(tx).to.emit(escrow, "Withdrawn").withArgs(seller.address, ETH, seller.address, credit);
      await expect(tx).to.changeEtherBalances(ethers, [escrow, seller, stranger], [-credit, credit, 0n]);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(0n);
    });

    it("collects the treasury's ETH fees into the timelock", async () => {
      const { escrow, timelock, buyer, stranger, orderId } = await networkHelpers.loadFixture(withShippedOrder);
      await escrow.connect(buyer).confirmDelivery(orderId);
      const fee = feeOn(AMOUNT, FEE_BPS);
      const treasury = await timelock.getAddress();

      const tx = escrow.connect(stranger).withdrawFor(treasury, ETH);

      await expect(tx).to.emit(escrow, "Withdrawn").withArgs(treasury, ETH, treasury, fee);
      await expect(tx).to.changeEtherBalances(ethers, [escrow, timelock], [-fee, fee]);
      expect(await escrow.creditOf(treasury, ETH)).to.equal(0n);
    });

    it("collects the seller's and the treasury's MockUSDC credits", async () => {
      const { escrow, usdc, timelock, seller, stranger } = await networkHelpers.loadFixture(withCompletedUsdcOrder);
      const usdcAddress = await usdc.getAddress();
      const treasury = await timelock.getAddress();
      const fee = feeOn(USDC_AMOUNT, FEE_BPS);

      await expect(escrow.connect(stranger).withdrawFor(seller.address, usdcAddress)).to.changeTokenBalances(
        ethers,
        usdc,
        [escrow, seller, stranger],
        [-(USDC_AMOUNT - fee), USDC_AMOUNT - fee, 0n],
      );
      await expect(escrow.connect(stranger).withdrawFor(treasury, usdcAddress)).to.changeTokenBalances(
        ethers,
        usdc,
        [escrow, timelock],
        [-fee, fee],
      );
      expect(await usdc.balanceOf(await escrow.getAddress())).to.equal(0n);
    });

    it("rejects an account with no credit, including after its credit was withdrawn", async () => {
      const { escrow, usdc, seller, stranger } = await networkHelpers.loadFixture(withCompletedUsdcOrder);
      const usdcAddress = await usdc.getAddress();
      await expect(escrow.connect(stranger).withdrawFor(stranger.address, usdcAddress))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(stranger.address, usdcAddress);
      await escrow.connect(stranger).withdrawFor(seller.address, usdcAddress);
      await expect(escrow.connect(stranger).withdrawFor(seller.address, usdcAddress))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(seller.address, usdcAddress);
    });
  });

  describe("while new orders are paused", () => {
    it("still lets orders ship, be confirmed and be declined, and credits be withdrawn", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const toComplete = await openOrder(escrow, buyer, seller, AMOUNT);
      const toDecline = await openOrder(escrow, buyer, seller, AMOUNT);
      await escrow.connect(accounts.deployer).setPaused(true);

      await escrow.connect(seller).markShipped(toComplete);
      await escrow.connect(buyer).confirmDelivery(toComplete);
      await escrow.connect(seller).declineOrder(toDecline);
      await escrow.connect(seller).withdraw(ETH, seller.address);
      await escrow.connect(accounts.others[0]).withdrawFor(buyer.address, ETH);

      expect(await escrow.paused()).to.equal(true);
      expect((await escrow.getOrder(toComplete)).state).to.equal(OrderState.Completed);
      expect((await escrow.getOrder(toDecline)).state).to.equal(OrderState.Refunded);
      expect(await escrow.creditOf(seller.address, ETH)).to.equal(0n);
      expect(await escrow.creditOf(buyer.address, ETH)).to.equal(0n);
    });

    it("still completes and refunds orders whose deadlines passed", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const toComplete = await openOrder(escrow, buyer, seller, AMOUNT);
      const toRefund = await openOrder(escrow, buyer, seller, AMOUNT);
      await escrow.connect(seller).markShipped(toComplete);
      await escrow.connect(accounts.deployer).setPaused(true);
      await time.increase(2n * HOUR);

      await escrow.connect(accounts.others[0]).completeAfterTimeout(toComplete);
      await escrow.connect(accounts.others[0]).refundAfterTimeout(toRefund);

      expect((await escrow.getOrder(toComplete)).state).to.equal(OrderState.Completed);
      expect((await escrow.getOrder(toRefund)).state).to.equal(OrderState.Refunded);
    });
  });
});
