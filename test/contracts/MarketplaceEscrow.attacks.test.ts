import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import type { MarketplaceEscrow } from "../../types/ethers-contracts/index.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const HOUR = 60 * 60;
const DAY = 24 * HOUR;
const ETH = ethers.ZeroAddress;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const FEE_BPS = 250n;
const BPS = 10_000n;

const State = { None: 0, Funded: 1, Shipped: 2, Completed: 3, Refunded: 4, Disputed: 5, Resolved: 6 } as const;
const OPEN_STATES: readonly bigint[] = [BigInt(State.Funded), BigInt(State.Shipped), BigInt(State.Disputed)];

type Local = Awaited<ReturnType<typeof deployLocal>>;
type Addressable = { getAddress(): Promise<string> };

/** The `expectedStates` bitmap carried by EscrowUnexpectedState. */
function stateBits(...states: number[]): string {
  return ethers.toBeHex(
    states.reduce((bits, state) => bits | (1n << BigInt(state)), 0n),
    32,
  );
}

function ref(label: string): string {
  return ethers.id(`attack:${label}`);
}

function sellerShare(amount: bigint): bigint {
  return amount - (amount * FEE_BPS) / BPS;
}

async function impersonate(account: Addressable | string): Promise<HardhatEthersSigner> {
  const address = typeof account === "string" ? account : await account.getAddress();
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, ethers.parseEther("10"));
  return ethers.getSigner(address);
}

/** The timelock is the escrow's only admin: impersonating it is acting as the DAO after a passed proposal. */
async function actAsDao(local: Local): Promise<HardhatEthersSigner> {
  return impersonate(local.timelock);
}

/**
 * Invariant: what the escrow holds in `token` equals every credit plus every order still open in it, plus
 * whatever was forced on it. `accounts` must name everybody who may hold a credit.
 */
async function expectFullyBacked(
  escrow: MarketplaceEscrow,
  token: string,
  accounts: readonly (Addressable | string)[],
  balanceOf: (holder: string) => Promise<bigint>,
  unowed = 0n,
) {
  let owed = 0n;
  for (const account of accounts) {
    owed += await escrow.creditOf(typeof account === "string" ? account : await account.getAddress(), token);
  }
  const next = await escrow.nextOrderId();
  for (let id = 1n; id < next; id++) {
    const order = await escrow.getOrder(id);
    if (order.token === token && OPEN_STATES.includes(order.state)) owed += order.amount;
  }
  expect(await balanceOf(await escrow.getAddress())).to.equal(owed + unowed);
}

const etherBalance = (holder: string) => ethers.provider.getBalance(holder);

async function localDeployment() {
  return deployLocal(connection);
}

async function withReentrantToken() {
  const local = await deployLocal(connection);
  const reentrant = await ethers.deployContract("ReentrantToken");
  await local.escrow.connect(await actAsDao(local)).setPaymentToken(reentrant, true);
  return { ...local, reentrant };
}

async function withReentrantReceiver() {
  const local = await deployLocal(connection);
  const receiver = await ethers.deployContract("ReentrantReceiver");
  return { ...local, receiver };
}

async function withFeeOnTransferToken() {
  const local = await deployLocal(connection);
  const feeToken = await ethers.deployContract("FeeOnTransferToken");
  await local.escrow.connect(await actAsDao(local)).setPaymentToken(feeToken, true);
  return { ...local, feeToken };
}

async function withNoReturnToken() {
  const local = await deployLocal(connection);
  const usdt = await ethers.deployContract("NoReturnToken");
  await local.escrow.connect(await actAsDao(local)).setPaymentToken(usdt, true);
  return { ...local, usdt };
}

async function withRevertingReceiver() {
  const local = await deployLocal(connection);
  const rejector = await ethers.deployContract("RevertingReceiver");
  return { ...local, rejector };
}

describe("MarketplaceEscrow under attack (Ignition LocalModule)", () => {
  describe("reentrancy through a malicious payment token", () => {
    const AMOUNT = 1_000n * 10n ** 18n;

    async function fundedBuyer() {
      const local = await networkHelpers.loadFixture(withReentrantToken);
      const [buyer] = local.accounts.buyers;
      const [seller] = local.accounts.farmers;
      await local.reentrant.mint(buyer, 10n * AMOUNT);
      await local.reentrant.connect(buyer).approve(local.escrow, ethers.MaxUint256);
      return { ...local, buyer, seller };
    }

    /** The buyer holds a refund credit of AMOUNT in the reentrant token (order 1, declined). */
    async function buyerWithCredit() {
      const ctx = await fundedBuyer();
      await ctx.escrow.connect(ctx.buyer).createOrder(ctx.seller, ctx.reentrant, AMOUNT, ref("credit"));
      await ctx.escrow.connect(ctx.seller).declineOrder(1n);
      expect(await ctx.escrow.creditOf(ctx.buyer, ctx.reentrant)).to.equal(AMOUNT);
      return ctx;
    }

    it("blocks a createOrder re-entered from transferFrom with ReentrancyGuardReentrantCall and records nothing", async () => {
      const { escrow, reentrant, buyer, seller } = await fundedBuyer();
      const reentry = escrow.interface.encodeFunctionData("createOrder", [
        seller.address,
        await reentrant.getAddress(),
        AMOUNT,
        ref("inner"),
      ]);
      await reentrant.arm(escrow, reentry, true);

      await expect(
        escrow.connect(buyer).createOrder(seller, reentrant, AMOUNT, ref("outer")),
      ).to.be.revertedWithCustomError(escrow, "ReentrancyGuardReentrantCall");

      expect(await escrow.nextOrderId()).to.equal(1n);
      expect(await escrow.orderIdOf(buyer.address, ref("outer"))).to.equal(0n);
      expect(await escrow.orderIdOf(reentrant, ref("inner"))).to.equal(0n);
      expect(await reentrant.balanceOf(escrow)).to.equal(0n);
      expect(await reentrant.balanceOf(buyer)).to.equal(10n * AMOUNT);
    });

    it("opens only the outer order when the token swallows its failed re-entrant createOrder", async () => {
      const { escrow, reentrant, buyer, seller, timelock } = await fundedBuyer();
      const reentry = escrow.interface.encodeFunctionData("createOrders", [
        await reentrant.getAddress(),
        [{ seller: seller.address, amount: AMOUNT, ref: ref("inner") }],
      ]);
      await reentrant.arm(escrow, reentry, false);

      await expect(escrow.connect(buyer).createOrder(seller, reentrant, AMOUNT, ref("outer")))
        .to.emit(reentrant, "ReentryAttempted")
        .withArgs(await escrow.getAddress(), false, escrow.interface.encodeErrorResult("ReentrancyGuardReentrantCall"));

      expect(await escrow.nextOrderId()).to.equal(2n);
      expect(await escrow.orderIdOf(buyer.address, ref("outer"))).to.equal(1n);
      expect(await escrow.orderIdOf(reentrant, ref("inner"))).to.equal(0n);
      await expectFullyBacked(escrow, await reentrant.getAddress(), [buyer, seller, timelock], (holder) =>
        reentrant.balanceOf(holder),
      );
    });

    it("rejects a payment during which the token withdraws a credit out of the escrow, leaving the credit intact", async () => {
      const { escrow, reentrant, buyer, seller, timelock } = await buyerWithCredit();
      const tokenAddress = await reentrant.getAddress();
      // The pulled-out credit offsets the incoming payment, which the escrow's balance check must notice.
      const reentry = escrow.interface.encodeFunctionData("withdrawFor", [buyer.address, tokenAddress]);
      await reentrant.arm(escrow, reentry, false);
      const payment = 3n * AMOUNT;

      await expect(escrow.connect(buyer).createOrder(seller, reentrant, payment, ref("outer")))
        .to.be.revertedWithCustomError(escrow, "EscrowShortPayment")
        .withArgs(tokenAddress, payment, payment - AMOUNT);

      expect(await escrow.nextOrderId()).to.equal(2n);
      expect(await escrow.creditOf(buyer, reentrant)).to.equal(AMOUNT);
      expect(await reentrant.balanceOf(buyer)).to.equal(9n * AMOUNT);
      await expectFullyBacked(escrow, tokenAddress, [buyer, seller, timelock], (holder) => reentrant.balanceOf(holder));
    });

    it("reports a payment that shrinks the escrow's balance as EscrowShortPayment of nothing, not a panic", async () => {
      const { escrow, reentrant, buyer, seller, timelock } = await buyerWithCredit();
      const tokenAddress = await reentrant.getAddress();
      // The credit pulled out during the transfer is larger than the payment, so the balance ends lower.
      const reentry = escrow.interface.encodeFunctionData("withdrawFor", [buyer.address, tokenAddress]);
      await reentrant.arm(escrow, reentry, false);
      const payment = AMOUNT / 2n;

      await expect(escrow.connect(buyer).createOrder(seller, reentrant, payment, ref("outer")))
        .to.be.revertedWithCustomError(escrow, "EscrowShortPayment")
        .withArgs(tokenAddress, payment, 0n);

      expect(await escrow.creditOf(buyer, reentrant)).to.equal(AMOUNT);
      await expectFullyBacked(escrow, tokenAddress, [buyer, seller, timelock], (holder) => reentrant.balanceOf(holder));
    });

    it("fails a withdrawal whose token transfer re-enters withdrawFor, keeping the credit", async () => {
      const { escrow, reentrant, buyer, seller, timelock } = await buyerWithCredit();
      const tokenAddress = await reentrant.getAddress();
      await reentrant.arm(
        escrow,
        escrow.interface.encodeFunctionData("withdrawFor", [buyer.address, tokenAddress]),
        true,
      );

      await expect(escrow.connect(buyer).withdraw(reentrant, buyer))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(buyer.address, tokenAddress);

      expect(await escrow.creditOf(buyer, reentrant)).to.equal(AMOUNT);
      await expectFullyBacked(escrow, tokenAddress, [buyer, seller, timelock], (holder) => reentrant.balanceOf(holder));
    });

    it("pays a credit exactly once when the token re-enters withdrawFor during the withdrawal", async () => {
      const { escrow, reentrant, buyer, seller, timelock } = await buyerWithCredit();
      const tokenAddress = await reentrant.getAddress();
      await reentrant.arm(
        escrow,
        escrow.interface.encodeFunctionData("withdrawFor", [buyer.address, tokenAddress]),
        false,
      );

      await expect(escrow.connect(buyer).withdraw(reentrant, buyer))
        .to.emit(reentrant, "ReentryAttempted")
        .withArgs(
          await escrow.getAddress(),
          false,
          escrow.interface.encodeErrorResult("EscrowNothingToWithdraw", [buyer.address, tokenAddress]),
        );

      expect(await reentrant.balanceOf(buyer)).to.equal(10n * AMOUNT);
      expect(await escrow.creditOf(buyer, reentrant)).to.equal(0n);
      expect(await reentrant.balanceOf(escrow)).to.equal(0n);
      await expectFullyBacked(escrow, tokenAddress, [buyer, seller, timelock], (holder) => reentrant.balanceOf(holder));
    });
  });

  describe("reentrancy through a malicious ETH receiver", () => {
    const PRICE = ethers.parseEther("1");

    /**
     * The receiver is the seller of order 1, which the buyer confirmed: it holds the seller's credit. Order 2, between
     * two bystanders, stays open so that the escrow holds enough ETH for a second payout to succeed if one were made.
     */
    async function paidReceiver() {
      const local = await networkHelpers.loadFixture(withReentrantReceiver);
      const { escrow, receiver } = local;
      const [buyer, otherBuyer, bystander] = local.accounts.buyers;
      await escrow.connect(buyer).createOrder(receiver, ETH, PRICE, ref("paid"), { value: PRICE });
      await receiver.execute(escrow, escrow.interface.encodeFunctionData("markShipped", [1n]));
      await escrow.connect(buyer).confirmDelivery(1n);
      const bystanderStake = 5n * PRICE;
      await escrow
        .connect(bystander)
        .createOrder(local.accounts.farmers[2], ETH, bystanderStake, ref("bystander"), { value: bystanderStake });
      expect(await escrow.creditOf(receiver, ETH)).to.equal(sellerShare(PRICE));
      const parties = [receiver, buyer, otherBuyer, bystander, local.timelock, ...local.accounts.farmers];
      return { ...local, buyer, otherBuyer, parties };
    }

    it("turns a re-entrant withdraw into EscrowEtherTransferFailed and keeps the credit", async () => {
      const { escrow, receiver, parties } = await paidReceiver();
      const receiverAddress = await receiver.getAddress();
      const withdrawCall = escrow.interface.encodeFunctionData("withdraw", [ETH, receiverAddress]);
      await receiver.arm(escrow, withdrawCall, true);

      await expect(receiver.execute(escrow, withdrawCall))
        .to.be.revertedWithCustomError(escrow, "EscrowEtherTransferFailed")
        .withArgs(receiverAddress, sellerShare(PRICE));

      expect(await escrow.creditOf(receiver, ETH)).to.equal(sellerShare(PRICE));
      await expectFullyBacked(escrow, ETH, parties, etherBalance);
    });

    it("pays once when the receiver swallows its re-entrant withdraw, which found nothing to withdraw", async () => {
      const { escrow, receiver, parties } = await paidReceiver();
      const receiverAddress = await receiver.getAddress();
      const withdrawCall = escrow.interface.encodeFunctionData("withdraw", [ETH, receiverAddress]);
      await receiver.arm(escrow, withdrawCall, false);

      const tx = receiver.execute(escrow, withdrawCall);
      await expect(tx)
        .to.emit(receiver, "ReentryAttempted")
        .withArgs(
          await escrow.getAddress(),
          false,
          escrow.interface.encodeErrorResult("EscrowNothingToWithdraw", [receiverAddress, ETH]),
        );
      await expect(tx).to.changeEtherBalances(ethers, [receiver, escrow], [sellerShare(PRICE), -sellerShare(PRICE)]);

      expect(await escrow.creditOf(receiver, ETH)).to.equal(0n);
      await expectFullyBacked(escrow, ETH, parties, etherBalance);
    });

    it("lets a receiver that re-enters completeAfterTimeout only complete an order that was due", async () => {
      const { escrow, receiver, buyer, timelock, parties } = await paidReceiver();
      const second = ethers.parseEther("2");
      await escrow.connect(buyer).createOrder(receiver, ETH, second, ref("due"), { value: second });
      await receiver.execute(escrow, escrow.interface.encodeFunctionData("markShipped", [3n]));
      await networkHelpers.time.increase(HOUR + 1);
      await receiver.arm(escrow, escrow.interface.encodeFunctionData("completeAfterTimeout", [3n]), true);

      const tx = receiver.execute(
        escrow,
        escrow.interface.encodeFunctionData("withdraw", [ETH, await receiver.getAddress()]),
      );
      await expect(tx)
        .to.emit(escrow, "OrderCompleted")
        .withArgs(3n, await receiver.getAddress(), ETH, sellerShare(second), second - sellerShare(second), true);
      await expect(tx).to.changeEtherBalance(ethers, receiver, sellerShare(PRICE));

      expect((await escrow.getOrder(3n)).state).to.equal(BigInt(State.Completed));
      expect(await escrow.creditOf(receiver, ETH)).to.equal(sellerShare(second));
      expect(await escrow.creditOf(timelock, ETH)).to.equal(PRICE + second - sellerShare(PRICE) - sellerShare(second));
      await expectFullyBacked(escrow, ETH, parties, etherBalance);
    });

    it("lets a receiver that re-enters withdrawFor of another account only pay that account its own credit", async () => {
      const { escrow, receiver, otherBuyer, accounts, parties } = await paidReceiver();
      const [, farmer] = accounts.farmers;
      const refund = ethers.parseEther("3");
      await escrow.connect(otherBuyer).createOrder(farmer, ETH, refund, ref("refund"), { value: refund });
      await escrow.connect(farmer).declineOrder(3n);
      await receiver.arm(escrow, escrow.interface.encodeFunctionData("withdrawFor", [otherBuyer.address, ETH]), true);

      const tx = receiver.execute(
        escrow,
        escrow.interface.encodeFunctionData("withdraw", [ETH, await receiver.getAddress()]),
      );
      await expect(tx).to.changeEtherBalances(
        ethers,
        [receiver, otherBuyer, escrow],
        [sellerShare(PRICE), refund, -(sellerShare(PRICE) + refund)],
      );

      expect(await escrow.creditOf(receiver, ETH)).to.equal(0n);
      expect(await escrow.creditOf(otherBuyer, ETH)).to.equal(0n);
      await expectFullyBacked(escrow, ETH, parties, etherBalance);
    });
  });

  describe("double settlement", () => {
    const PRICE = ethers.parseEther("1");

    type Parties = Local & {
      buyer: HardhatEthersSigner;
      seller: HardhatEthersSigner;
      stranger: HardhatEthersSigner;
    };

    const FINAL_STATES: readonly { how: string; state: number; reach: (p: Parties) => Promise<unknown> }[] = [
      {
        how: "Completed by the buyer's confirmation",
        state: State.Completed,
        reach: async ({ escrow, buyer, seller }) => {
          await escrow.connect(seller).markShipped(1n);
          await escrow.connect(buyer).confirmDelivery(1n);
        },
      },
      {
        how: "Completed after the confirmation window",
        state: State.Completed,
        reach: async ({ escrow, seller, stranger }) => {
          await escrow.connect(seller).markShipped(1n);
          await networkHelpers.time.increase(HOUR + 1);
          await escrow.connect(stranger).completeAfterTimeout(1n);
        },
      },
      {
        how: "Refunded by the seller's decline",
        state: State.Refunded,
        reach: ({ escrow, seller }) => escrow.connect(seller).declineOrder(1n),
      },
      {
        how: "Refunded after the ship deadline",
        state: State.Refunded,
        reach: async ({ escrow, stranger }) => {
          await networkHelpers.time.increase(HOUR + 1);
          await escrow.connect(stranger).refundAfterTimeout(1n);
        },
      },
      {
        how: "Resolved by a settlement",
        state: State.Resolved,
        reach: async ({ escrow, buyer, seller }) => {
          await escrow.connect(buyer).openDispute(1n);
          await escrow.connect(buyer).proposeSettlement(1n, 4_000);
          await escrow.connect(seller).acceptSettlement(1n, 4_000);
        },
      },
      {
        how: "Resolved by an arbiter's ruling",
        state: State.Resolved,
        reach: async ({ escrow, buyer, seller, accounts }) => {
          await escrow.connect(seller).markShipped(1n);
          await escrow.connect(buyer).openDispute(1n);
          await escrow.connect(accounts.arbiter).rule(1n, 3_000);
        },
      },
      {
        how: "Resolved after the arbitration timeout",
        state: State.Resolved,
        reach: async ({ escrow, buyer, seller, stranger }) => {
          await escrow.connect(seller).markShipped(1n);
          await escrow.connect(buyer).openDispute(1n);
          await networkHelpers.time.increase(DAY + 1);
          await escrow.connect(stranger).resolveAfterTimeout(1n);
        },
      },
    ];

    const TRANSITIONS: readonly { name: string; expected: string; send: (p: Parties) => Promise<unknown> }[] = [
      {
        name: "markShipped",
        expected: stateBits(State.Funded),
        send: ({ escrow, seller }) => escrow.connect(seller).markShipped(1n),
      },
      {
        name: "confirmDelivery",
        expected: stateBits(State.Shipped),
        send: ({ escrow, buyer }) => escrow.connect(buyer).confirmDelivery(1n),
      },
      {
        name: "completeAfterTimeout",
        expected: stateBits(State.Shipped),
        send: ({ escrow, stranger }) => escrow.connect(stranger).completeAfterTimeout(1n),
      },
      {
        name: "declineOrder",
        expected: stateBits(State.Funded),
        send: ({ escrow, seller }) => escrow.connect(seller).declineOrder(1n),
      },
      {
        name: "refundAfterTimeout",
        expected: stateBits(State.Funded),
        send: ({ escrow, stranger }) => escrow.connect(stranger).refundAfterTimeout(1n),
      },
      {
        name: "openDispute (buyer)",
        expected: stateBits(State.Funded, State.Shipped),
        send: ({ escrow, buyer }) => escrow.connect(buyer).openDispute(1n),
      },
      {
        name: "openDispute (seller)",
        expected: stateBits(State.Funded, State.Shipped),
        send: ({ escrow, seller }) => escrow.connect(seller).openDispute(1n),
      },
      {
        name: "proposeSettlement",
        expected: stateBits(State.Disputed),
        send: ({ escrow, seller }) => escrow.connect(seller).proposeSettlement(1n, 0),
      },
      {
        name: "acceptSettlement",
        expected: stateBits(State.Disputed),
        send: ({ escrow, buyer }) => escrow.connect(buyer).acceptSettlement(1n, 4_000),
      },
      {
        name: "rule",
        expected: stateBits(State.Disputed),
        send: ({ escrow, accounts }) => escrow.connect(accounts.arbiter).rule(1n, 10_000),
      },
      {
        name: "resolveAfterTimeout",
        expected: stateBits(State.Disputed),
        send: ({ escrow, stranger }) => escrow.connect(stranger).resolveAfterTimeout(1n),
      },
    ];

    async function openOrder(): Promise<Parties> {
      const local = await networkHelpers.loadFixture(localDeployment);
      const [buyer] = local.accounts.buyers;
      const [seller] = local.accounts.farmers;
      const [stranger] = local.accounts.others;
      await local.escrow.connect(buyer).createOrder(seller, ETH, PRICE, ref("double"), { value: PRICE });
      return { ...local, buyer, seller, stranger };
    }

    async function creditsOf(p: Parties): Promise<bigint[]> {
      const holders = [p.buyer, p.seller, p.timelock, p.accounts.arbiter, p.stranger];
      return Promise.all(holders.map((holder) => p.escrow.creditOf(holder, ETH)));
    }

    for (const final of FINAL_STATES) {
      it(`rejects every other transition of an order ${final.how}, now and after every window, moving no credit`, async () => {
        const parties = await openOrder();
        await final.reach(parties);
        expect((await parties.escrow.getOrder(1n)).state).to.equal(BigInt(final.state));
        const credits = await creditsOf(parties);
        const held = await ethers.provider.getBalance(parties.escrow);

        const attemptEveryTransition = async (when: string) => {
          for (const transition of TRANSITIONS) {
            await expect(transition.send(parties), `${transition.name} ${when}`)
              .to.be.revertedWithCustomError(parties.escrow, "EscrowUnexpectedState")
              .withArgs(1n, final.state, transition.expected);
          }
        };
        await attemptEveryTransition("right away");
        // Once every deadline has passed the timeout paths become callable, and must still see a final state.
        await networkHelpers.time.increase(2 * DAY);
        await attemptEveryTransition("after every window");

        expect(await creditsOf(parties)).to.deep.equal(credits);
        expect(await ethers.provider.getBalance(parties.escrow)).to.equal(held);
      });
    }

    it("never also completes a refunded order, even after the buyer withdrew the refund", async () => {
      const parties = await openOrder();
      const { escrow, buyer, seller, stranger, timelock } = parties;
      await escrow.connect(seller).declineOrder(1n);
      await escrow.connect(buyer).withdraw(ETH, buyer);

      await expect(escrow.connect(seller).markShipped(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(1n, State.Refunded, stateBits(State.Funded));
      await expect(escrow.connect(buyer).confirmDelivery(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(1n, State.Refunded, stateBits(State.Shipped));
      await networkHelpers.time.increase(2 * HOUR);
      await expect(escrow.connect(stranger).completeAfterTimeout(1n))
        .to.be.revertedWithCustomError(escrow, "EscrowUnexpectedState")
        .withArgs(1n, State.Refunded, stateBits(State.Shipped));

      expect(await escrow.creditOf(seller, ETH)).to.equal(0n);
      expect(await escrow.creditOf(timelock, ETH)).to.equal(0n);
      expect(await ethers.provider.getBalance(escrow)).to.equal(0n);
    });
  });

  describe("front-running a buyer's refs", () => {
    it("lets a buyer's batch through after a squatter took each of its refs first with 1 wei", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(localDeployment);
      const [victim, squatter] = accounts.buyers;
      const [farmA, farmB] = accounts.farmers;
      const requests = [
        { seller: farmA.address, amount: ethers.parseEther("1"), ref: ref("batch-a") },
        { seller: farmB.address, amount: ethers.parseEther("2"), ref: ref("batch-b") },
      ];
      for (const request of requests) {
        await escrow.connect(squatter).createOrder(farmA, ETH, 1n, request.ref, { value: 1n });
      }

      await expect(escrow.connect(victim).createOrders(ETH, requests, { value: ethers.parseEther("3") })).to.emit(
        escrow,
        "OrderCreated",
      );

      for (const [i, request] of requests.entries()) {
        const id = await escrow.orderIdOf(victim, request.ref);
        expect(id).to.equal(BigInt(i + 3));
        const order = await escrow.getOrder(id);
        expect([order.buyer, order.seller, order.amount]).to.deep.equal([
          victim.address,
          request.seller,
          request.amount,
        ]);
        expect(await escrow.orderIdOf(squatter, request.ref)).to.equal(BigInt(i + 1));
      }
    });
  });

  describe("fee-on-transfer tokens", () => {
    it("rejects a fee-on-transfer payment with EscrowShortPayment and records nothing", async () => {
      const { escrow, feeToken, accounts } = await networkHelpers.loadFixture(withFeeOnTransferToken);
      const [buyer] = accounts.buyers;
      const [seller, otherSeller] = accounts.farmers;
      const amount = 10_000n * 10n ** 18n;
      await feeToken.mint(buyer, amount);
      await feeToken.connect(buyer).approve(escrow, amount);
      const tokenAddress = await feeToken.getAddress();
      const received = amount - (amount * (await feeToken.FEE_BPS())) / BPS;

      await expect(escrow.connect(buyer).createOrder(seller, feeToken, amount, ref("fot")))
        .to.be.revertedWithCustomError(escrow, "EscrowShortPayment")
        .withArgs(tokenAddress, amount, received);
      await expect(
        escrow.connect(buyer).createOrders(feeToken, [
          { seller: seller.address, amount: amount / 4n, ref: ref("fot-a") },
          { seller: otherSeller.address, amount: amount - amount / 4n, ref: ref("fot-b") },
        ]),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowShortPayment")
        .withArgs(tokenAddress, amount, received);

      expect(await escrow.nextOrderId()).to.equal(1n);
      for (const label of ["fot", "fot-a", "fot-b"]) {
        expect(await escrow.orderIdOf(buyer.address, ref(label))).to.equal(0n);
      }
      expect(await feeToken.balanceOf(escrow)).to.equal(0n);
      expect(await feeToken.balanceOf(buyer)).to.equal(amount);
    });
  });

  describe("tokens that return no bool", () => {
    it("carries a USDT-style token through create, ship, confirm and withdrawals", async () => {
      const { escrow, usdt, timelock, accounts } = await networkHelpers.loadFixture(withNoReturnToken);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const [stranger] = accounts.others;
      const amount = 200n * 10n ** 6n;
      await usdt.mint(buyer, amount);
      await usdt.connect(buyer).approve(escrow, amount);

      const created = await escrow.connect(buyer).createOrder(seller, usdt, amount, ref("usdt"));
      const createdAt = (await created.getBlock())?.timestamp ?? 0;
      await expect(created)
        .to.emit(escrow, "OrderCreated")
        .withArgs(
          1n,
          ref("usdt"),
          buyer.address,
          seller.address,
          await usdt.getAddress(),
          amount,
          createdAt + HOUR,
          FEE_BPS,
          HOUR,
          DAY,
        );
      expect(await usdt.balanceOf(escrow)).to.equal(amount);
      expect(await usdt.allowance(buyer, escrow)).to.equal(0n);

      await escrow.connect(seller).markShipped(1n);
      await escrow.connect(buyer).confirmDelivery(1n);
      const fee = amount - sellerShare(amount);

      await expect(escrow.connect(seller).withdraw(usdt, seller))
        .to.emit(escrow, "Withdrawn")
        .withArgs(seller.address, await usdt.getAddress(), seller.address, sellerShare(amount));
      await escrow.connect(stranger).withdrawFor(timelock, usdt);

      expect(await usdt.balanceOf(seller)).to.equal(sellerShare(amount));
      expect(await usdt.balanceOf(timelock)).to.equal(fee);
      expect(await usdt.balanceOf(escrow)).to.equal(0n);
      expect(await escrow.creditOf(seller, usdt)).to.equal(0n);
      expect(await escrow.creditOf(timelock, usdt)).to.equal(0n);
    });
  });

  describe("receivers that refuse ETH", () => {
    it("lets a seller that refuses ETH block nobody, and still be paid at another address", async () => {
      const { escrow, rejector, timelock, accounts } = await networkHelpers.loadFixture(withRevertingReceiver);
      const [refunded, payer] = accounts.buyers;
      const [stranger, payee] = accounts.others;
      const rejectorAddress = await rejector.getAddress();
      const refund = ethers.parseEther("1");
      const price = ethers.parseEther("2");
      await escrow.connect(refunded).createOrder(rejector, ETH, refund, ref("declined"), { value: refund });
      await rejector.execute(escrow, escrow.interface.encodeFunctionData("declineOrder", [1n]));
      await escrow.connect(payer).createOrder(rejector, ETH, price, ref("sold"), { value: price });
      await rejector.execute(escrow, escrow.interface.encodeFunctionData("markShipped", [2n]));
      await escrow.connect(payer).confirmDelivery(2n);
      const fee = price - sellerShare(price);

      await expect(escrow.connect(stranger).withdrawFor(rejector, ETH))
        .to.be.revertedWithCustomError(escrow, "EscrowEtherTransferFailed")
        .withArgs(rejectorAddress, sellerShare(price));
      await expect(rejector.execute(escrow, escrow.interface.encodeFunctionData("withdraw", [ETH, rejectorAddress])))
        .to.be.revertedWithCustomError(escrow, "EscrowEtherTransferFailed")
        .withArgs(rejectorAddress, sellerShare(price));

      await expect(escrow.connect(refunded).withdraw(ETH, refunded)).to.changeEtherBalances(
        ethers,
        [refunded, escrow],
        [refund, -refund],
      );
      await expect(escrow.connect(stranger).withdrawFor(timelock, ETH)).to.changeEtherBalances(
        ethers,
        [timelock, escrow],
        [fee, -fee],
      );
      await expect(
        rejector.execute(escrow, escrow.interface.encodeFunctionData("withdraw", [ETH, payee.address])),
      ).to.changeEtherBalances(ethers, [payee, escrow], [sellerShare(price), -sellerShare(price)]);

      expect(await escrow.creditOf(rejector, ETH)).to.equal(0n);
      expect(await ethers.provider.getBalance(escrow)).to.equal(0n);
    });
  });

  describe("arbiters who are parties", () => {
    const PRICE = ethers.parseEther("1");

    it("stops an arbiter who is the buyer from ruling, while a neutral arbiter still can", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { escrow, accounts } = local;
      const { arbiter } = accounts;
      const [seller] = accounts.farmers;
      const [neutral] = accounts.others;
      await escrow.connect(arbiter).createOrder(seller, ETH, PRICE, ref("arbiter-buys"), { value: PRICE });
      await escrow.connect(seller).openDispute(1n);

      await expect(escrow.connect(arbiter).rule(1n, 10_000))
        .to.be.revertedWithCustomError(escrow, "EscrowArbiterIsParty")
        .withArgs(1n, arbiter.address);
      expect((await escrow.getOrder(1n)).state).to.equal(BigInt(State.Disputed));

      await escrow.connect(await actAsDao(local)).grantRole(await escrow.ARBITER_ROLE(), neutral);
      await expect(escrow.connect(neutral).rule(1n, 0))
        .to.emit(escrow, "OrderResolved")
        .withArgs(1n, 1n, neutral.address, ETH, 0, 0n, sellerShare(PRICE), PRICE - sellerShare(PRICE));
    });

    it("stops an arbiter who is the seller from ruling", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(localDeployment);
      const { arbiter } = accounts;
      const [buyer] = accounts.buyers;
      await escrow.connect(buyer).createOrder(arbiter, ETH, PRICE, ref("arbiter-sells"), { value: PRICE });
      await escrow.connect(arbiter).markShipped(1n);
      await escrow.connect(buyer).openDispute(1n);

      await expect(escrow.connect(arbiter).rule(1n, 0))
        .to.be.revertedWithCustomError(escrow, "EscrowArbiterIsParty")
        .withArgs(1n, arbiter.address);
      expect((await escrow.getOrder(1n)).state).to.equal(BigInt(State.Disputed));
      expect(await escrow.creditOf(arbiter, ETH)).to.equal(0n);
    });
  });

  describe("who may change parameters", () => {
    type Caller = { who: string; pick: (local: Local) => Promise<HardhatEthersSigner> };

    const NON_ADMINS: readonly Caller[] = [
      { who: "the deployer, who is the local guardian", pick: ({ accounts }) => Promise.resolve(accounts.deployer) },
      { who: "an arbiter", pick: ({ accounts }) => Promise.resolve(accounts.arbiter) },
      { who: "a voter", pick: ({ accounts }) => Promise.resolve(accounts.voters[0]) },
      { who: "the governor contract itself", pick: ({ governor }) => impersonate(governor) },
    ];

    /** Every call that needs DEFAULT_ADMIN_ROLE, to be sent by `caller` one at a time. */
    async function adminCalls(local: Local, caller: HardhatEthersSigner) {
      const escrow = local.escrow.connect(caller);
      const arbiterRole = await escrow.ARBITER_ROLE();
      const guardianRole = await escrow.GUARDIAN_ROLE();
      return [
        { call: "setFee", send: () => escrow.setFee(0) },
        { call: "setWindows", send: () => escrow.setWindows(2 * HOUR, 2 * HOUR, 2 * DAY) },
        { call: "setPaymentToken(allow)", send: () => escrow.setPaymentToken(local.token, true) },
        { call: "setPaymentToken(disallow)", send: () => escrow.setPaymentToken(local.usdc, false) },
        { call: "grantRole(ARBITER_ROLE)", send: () => escrow.grantRole(arbiterRole, caller) },
        { call: "grantRole(GUARDIAN_ROLE)", send: () => escrow.grantRole(guardianRole, caller) },
        { call: "grantRole(DEFAULT_ADMIN_ROLE)", send: () => escrow.grantRole(DEFAULT_ADMIN_ROLE, caller) },
        { call: "revokeRole(ARBITER_ROLE)", send: () => escrow.revokeRole(arbiterRole, local.accounts.arbiter) },
        { call: "revokeRole(GUARDIAN_ROLE)", send: () => escrow.revokeRole(guardianRole, local.accounts.deployer) },
        { call: "revokeRole(DEFAULT_ADMIN_ROLE)", send: () => escrow.revokeRole(DEFAULT_ADMIN_ROLE, local.timelock) },
      ];
    }

    for (const { who, pick } of NON_ADMINS) {
      it(`refuses every setter and every role change to ${who}`, async () => {
        const local = await networkHelpers.loadFixture(localDeployment);
        const caller = await pick(local);
        const terms = await local.escrow.currentTerms();

        for (const { call, send } of await adminCalls(local, caller)) {
          await expect(send(), call)
            .to.be.revertedWithCustomError(local.escrow, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
        }

        expect(await local.escrow.currentTerms()).to.deep.equal(terms);
        expect(await local.escrow.isPaymentToken(local.usdc)).to.equal(true);
        expect(await local.escrow.hasRole(await local.escrow.ARBITER_ROLE(), local.accounts.arbiter)).to.equal(true);
      });
    }

    it("allow-lists a payment token only at the timelock's request", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { escrow, accounts } = local;
      const candidate = await ethers.deployContract("NoReturnToken");
      const outsiders = [
        accounts.deployer,
        accounts.arbiter,
        accounts.farmers[0],
        accounts.buyers[0],
        accounts.voters[0],
      ];

      for (const outsider of outsiders) {
        await expect(escrow.connect(outsider).setPaymentToken(candidate, true))
          .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
          .withArgs(outsider.address, DEFAULT_ADMIN_ROLE);
      }
      expect(await escrow.isPaymentToken(candidate)).to.equal(false);

      await expect(escrow.connect(await actAsDao(local)).setPaymentToken(candidate, true))
        .to.emit(escrow, "PaymentTokenSet")
        .withArgs(await candidate.getAddress(), true);
      expect(await escrow.isPaymentToken(candidate)).to.equal(true);
    });

    it("lets a guardian pause and unpause new orders, and change nothing else", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { escrow, accounts } = local;
      const [guardian] = accounts.others;
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      await escrow.connect(await actAsDao(local)).grantRole(await escrow.GUARDIAN_ROLE(), guardian);

      await expect(escrow.connect(guardian).setPaused(true)).to.emit(escrow, "Paused").withArgs(guardian.address, true);
      await expect(
        escrow.connect(buyer).createOrder(seller, ETH, 1n, ref("paused"), { value: 1n }),
      ).to.be.revertedWithCustomError(escrow, "EscrowPaused");
      await expect(escrow.connect(accounts.deployer).setPaused(false))
        .to.emit(escrow, "Paused")
        .withArgs(accounts.deployer.address, false);

      for (const { call, send } of await adminCalls(local, guardian)) {
        await expect(send(), call)
          .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
          .withArgs(guardian.address, DEFAULT_ADMIN_ROLE);
      }
    });

    it("refuses to pause for anyone who is not a guardian, the timelock included", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { escrow, accounts } = local;
      const guardianRole = await escrow.GUARDIAN_ROLE();
      const callers = [
        accounts.arbiter,
        accounts.voters[0],
        accounts.buyers[0],
        await impersonate(local.governor),
        await actAsDao(local),
      ];

      for (const caller of callers) {
        await expect(escrow.connect(caller).setPaused(true))
          .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, guardianRole);
      }
      expect(await escrow.paused()).to.equal(false);
    });

    it("refuses to renounce an arbiter's or guardian's role on their behalf", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(localDeployment);
      const [stranger] = accounts.others;

      await expect(
        escrow.connect(stranger).renounceRole(await escrow.ARBITER_ROLE(), accounts.arbiter),
      ).to.be.revertedWithCustomError(escrow, "AccessControlBadConfirmation");
      await expect(
        escrow.connect(stranger).renounceRole(await escrow.GUARDIAN_ROLE(), accounts.deployer),
      ).to.be.revertedWithCustomError(escrow, "AccessControlBadConfirmation");
      expect(await escrow.hasRole(await escrow.ARBITER_ROLE(), accounts.arbiter)).to.equal(true);
    });
  });

  describe("forced ETH", () => {
    it("keeps paying every credit exactly when ETH is forced into the escrow, and the extra stays", async () => {
      const { escrow, timelock, accounts } = await networkHelpers.loadFixture(localDeployment);
      const [buyer, refunded] = accounts.buyers;
      const [seller, decliner] = accounts.farmers;
      const [stranger] = accounts.others;
      const price = ethers.parseEther("1");
      const refund = ethers.parseEther("2");
      const forced = ethers.parseEther("5");
      await escrow.connect(buyer).createOrder(seller, ETH, price, ref("forced-sale"), { value: price });
      await escrow.connect(refunded).createOrder(decliner, ETH, refund, ref("forced-refund"), { value: refund });
      // The escrow has no receive(); a selfdestruct or a block reward credits it the same way as this.
      const escrowAddress = await escrow.getAddress();
      await networkHelpers.setBalance(escrowAddress, (await ethers.provider.getBalance(escrowAddress)) + forced);

      await escrow.connect(seller).markShipped(1n);
      await escrow.connect(buyer).confirmDelivery(1n);
      await escrow.connect(decliner).declineOrder(2n);
      const parties = [buyer, refunded, seller, decliner, timelock];
      await expectFullyBacked(escrow, ETH, parties, etherBalance, forced);

      await expect(escrow.connect(seller).withdraw(ETH, seller)).to.changeEtherBalance(
        ethers,
        seller,
        sellerShare(price),
      );
      await expect(escrow.connect(refunded).withdraw(ETH, refunded)).to.changeEtherBalance(ethers, refunded, refund);
      await expect(escrow.connect(stranger).withdrawFor(timelock, ETH)).to.changeEtherBalance(
        ethers,
        timelock,
        price - sellerShare(price),
      );
      await expect(escrow.connect(seller).withdraw(ETH, seller))
        .to.be.revertedWithCustomError(escrow, "EscrowNothingToWithdraw")
        .withArgs(seller.address, ETH);

      expect(await ethers.provider.getBalance(escrow)).to.equal(forced);
      await expectFullyBacked(escrow, ETH, parties, etherBalance, forced);
    });

    it("refuses plain ETH transfers, so ETH only arrives with an order or by force", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(localDeployment);
      const [buyer] = accounts.buyers;

      await expect(buyer.sendTransaction({ to: escrow, value: 1n })).to.be.revertedWithoutReason(ethers);
      expect(await ethers.provider.getBalance(escrow)).to.equal(0n);
    });
  });
});
