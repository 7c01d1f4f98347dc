import { expect } from "chai";
import { network } from "hardhat";

import { asTimelock, feeOn, openOrder, OrderState, orderRef } from "../support/escrow-actions.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const HOUR = 3_600n;
const DAY = 24n * HOUR;
const MIN_WINDOW = HOUR;
const MAX_WINDOW = 90n * DAY;
const MIN_ARBITRATION = DAY;
const MAX_ARBITRATION = 180n * DAY;
const ADMIN_ROLE = ethers.ZeroHash;
const ETH = ethers.ZeroAddress;
const LOCAL_TERMS = [250n, HOUR, HOUR, DAY];

describe("MarketplaceEscrow: DAO parameters and roles", () => {
  /** The local deployment plus a signer acting as the DAO's timelock. */
  async function withDao() {
    const deployment = await deployLocal(connection);
    return { ...deployment, dao: await asTimelock(connection, deployment.timelock) };
  }

  describe("initial state", () => {
    it("starts with the local terms, the timelock as treasury and order ids from 1", async () => {
      const { escrow, timelock } = await networkHelpers.loadFixture(withDao);
      expect([...(await escrow.currentTerms())]).to.deep.equal(LOCAL_TERMS);
      expect(await escrow.treasury()).to.equal(await timelock.getAddress());
      expect(await escrow.nextOrderId()).to.equal(1n);
      expect(await escrow.paused()).to.equal(false);
      expect(await escrow.MAX_FEE_BPS()).to.equal(1_000n);
      expect(await escrow.MIN_WINDOW()).to.equal(MIN_WINDOW);
      expect(await escrow.MAX_WINDOW()).to.equal(MAX_WINDOW);
      expect(await escrow.MIN_ARBITRATION_TIMEOUT()).to.equal(MIN_ARBITRATION);
      expect(await escrow.MAX_ARBITRATION_TIMEOUT()).to.equal(MAX_ARBITRATION);
    });

    it("always accepts ETH and only allow-listed tokens", async () => {
      const { escrow, usdc, token } = await networkHelpers.loadFixture(withDao);
      expect(await escrow.isPaymentToken(ETH)).to.equal(true);
      expect(await escrow.isPaymentToken(await usdc.getAddress())).to.equal(true);
      expect(await escrow.isPaymentToken(await token.getAddress())).to.equal(false);
    });
  });

  describe("setFee", () => {
    it("lets the timelock change the fee for orders from the next id on", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], 1_000n);
      await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], 1_000n);

      await expect(escrow.connect(dao).setFee(400))
        .to.emit(escrow, "TermsUpdated")
        .withArgs(3n, [400n, HOUR, HOUR, DAY]);

      expect([...(await escrow.currentTerms())]).to.deep.equal([400n, HOUR, HOUR, DAY]);
      expect((await escrow.getOrder(2n)).terms.feeBps).to.equal(250n);
    });

    it("gives new orders the last of several changes made before them", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      await expect(escrow.connect(dao).setFee(300))
        .to.emit(escrow, "TermsUpdated")
        .withArgs(1n, [300n, HOUR, HOUR, DAY]);
      await expect(escrow.connect(dao).setFee(400))
        .to.emit(escrow, "TermsUpdated")
        .withArgs(1n, [400n, HOUR, HOUR, DAY]);

      const orderId = await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], 1_000n);
      expect([...(await escrow.getOrder(orderId)).terms]).to.deep.equal([400n, HOUR, HOUR, DAY]);
    });

    it("accepts a fee of zero and of exactly MAX_FEE_BPS, and rejects one above", async () => {
      const { escrow, dao } = await networkHelpers.loadFixture(withDao);
      await escrow.connect(dao).setFee(0);
      expect((await escrow.currentTerms()).feeBps).to.equal(0n);
      await escrow.connect(dao).setFee(1_000);
      expect((await escrow.currentTerms()).feeBps).to.equal(1_000n);
      await expect(escrow.connect(dao).setFee(1_001))
        .to.be.revertedWithCustomError(escrow, "EscrowFeeTooHigh")
        .withArgs(1_001n, 1_000n);
    });

    it("charges no fee at all on orders created under a zero fee", async () => {
      const { escrow, dao, timelock, accounts } = await networkHelpers.loadFixture(withDao);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      await escrow.connect(dao).setFee(0);
      const orderId = await openOrder(escrow, buyer, seller, 1_000_000n);
      await escrow.connect(seller).markShipped(orderId);

      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(orderId, seller.address, ETH, 1_000_000n, 0n, false);
      expect(await escrow.creditOf(await timelock.getAddress(), ETH)).to.equal(0n);
    });

    it("rejects anyone but the timelock, including the guardian and the arbiter", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(withDao);
      for (const account of [accounts.deployer, accounts.arbiter, accounts.voters[0]]) {
        await expect(escrow.connect(account).setFee(100))
          .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, ADMIN_ROLE);
      }
    });
  });

  describe("setWindows", () => {
    it("lets the timelock change the windows, keeping the fee", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      await escrow.connect(dao).setFee(500);
      await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], 1_000n);

      await expect(escrow.connect(dao).setWindows(2n * DAY, 3n * DAY, 10n * DAY))
        .to.emit(escrow, "TermsUpdated")
        .withArgs(2n, [500n, 2n * DAY, 3n * DAY, 10n * DAY]);
      expect([...(await escrow.currentTerms())]).to.deep.equal([500n, 2n * DAY, 3n * DAY, 10n * DAY]);
    });

    it("accepts every window exactly at its bounds", async () => {
      const { escrow, dao } = await networkHelpers.loadFixture(withDao);
      await escrow.connect(dao).setWindows(MIN_WINDOW, MIN_WINDOW, MIN_ARBITRATION);
      expect([...(await escrow.currentTerms())]).to.deep.equal([250n, MIN_WINDOW, MIN_WINDOW, MIN_ARBITRATION]);
      await escrow.connect(dao).setWindows(MAX_WINDOW, MAX_WINDOW, MAX_ARBITRATION);
      expect([...(await escrow.currentTerms())]).to.deep.equal([250n, MAX_WINDOW, MAX_WINDOW, MAX_ARBITRATION]);
    });

    const outOfBounds = [
      {
        name: "a ship window below 1 hour",
        windows: [MIN_WINDOW - 1n, HOUR, DAY],
        bad: MIN_WINDOW - 1n,
        min: MIN_WINDOW,
        max: MAX_WINDOW,
      },
      {
        name: "a ship window above 90 days",
        windows: [MAX_WINDOW + 1n, HOUR, DAY],
        bad: MAX_WINDOW + 1n,
        min: MIN_WINDOW,
        max: MAX_WINDOW,
      },
      {
        name: "a confirm window below 1 hour",
        windows: [HOUR, MIN_WINDOW - 1n, DAY],
        bad: MIN_WINDOW - 1n,
        min: MIN_WINDOW,
        max: MAX_WINDOW,
      },
      {
        name: "a confirm window above 90 days",
        windows: [HOUR, MAX_WINDOW + 1n, DAY],
        bad: MAX_WINDOW + 1n,
        min: MIN_WINDOW,
        max: MAX_WINDOW,
      },
      {
        name: "an arbitration timeout below 1 day",
        windows: [HOUR, HOUR, MIN_ARBITRATION - 1n],
        bad: MIN_ARBITRATION - 1n,
        min: MIN_ARBITRATION,
        max: MAX_ARBITRATION,
      },
      {
        name: "an arbitration timeout above 180 days",
        windows: [HOUR, HOUR, MAX_ARBITRATION + 1n],
        bad: MAX_ARBITRATION + 1n,
        min: MIN_ARBITRATION,
        max: MAX_ARBITRATION,
      },
    ];
    for (const { name, windows, bad, min, max } of outOfBounds) {
      it(`rejects ${name}`, async () => {
        const { escrow, dao } = await networkHelpers.loadFixture(withDao);
        const [ship, confirm, arbitration] = windows;
        await expect(escrow.connect(dao).setWindows(ship, confirm, arbitration))
          .to.be.revertedWithCustomError(escrow, "EscrowWindowOutOfBounds")
          .withArgs(bad, min, max);
      });
    }

    it("rejects anyone but the timelock", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(withDao);
      await expect(escrow.connect(accounts.deployer).setWindows(DAY, DAY, DAY))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.deployer.address, ADMIN_ROLE);
    });
  });

  describe("setPaymentToken", () => {
    it("lets the timelock allow a new token, which orders can then be paid in", async () => {
      const { escrow, dao, token, accounts } = await networkHelpers.loadFixture(withDao);
      const agri = await token.getAddress();
      const [buyer] = accounts.voters;
      const amount = 10n ** 18n;

      await expect(escrow.connect(dao).setPaymentToken(agri, true))
        .to.emit(escrow, "PaymentTokenSet")
        .withArgs(agri, true);

      expect(await escrow.isPaymentToken(agri)).to.equal(true);
      await token.connect(buyer).approve(await escrow.getAddress(), amount);
      await expect(
        escrow.connect(buyer).createOrder(accounts.farmers[0].address, agri, amount, orderRef("agri")),
      ).to.changeTokenBalances(ethers, token, [buyer, escrow], [-amount, amount]);
    });

    it("blocks new orders in a removed token while its open orders still complete and withdraw", async () => {
      const { escrow, dao, usdc, timelock, accounts } = await networkHelpers.loadFixture(withDao);
      const usdcAddress = await usdc.getAddress();
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const amount = 5_000_000n;
      const orderId = await openOrder(escrow, buyer, seller, amount, { usdc });

      await expect(escrow.connect(dao).setPaymentToken(usdcAddress, false))
        .to.emit(escrow, "PaymentTokenSet")
        .withArgs(usdcAddress, false);

      expect(await escrow.isPaymentToken(usdcAddress)).to.equal(false);
      await usdc.mint(buyer.address, amount);
      await usdc.connect(buyer).approve(await escrow.getAddress(), amount);
      await expect(escrow.connect(buyer).createOrder(seller.address, usdcAddress, amount, orderRef("after-removal")))
        .to.be.revertedWithCustomError(escrow, "EscrowTokenNotAllowed")
        .withArgs(usdcAddress);

      await escrow.connect(seller).markShipped(orderId);
      await escrow.connect(buyer).confirmDelivery(orderId);
      const fee = feeOn(amount, 250n);
      await expect(escrow.connect(seller).withdraw(usdcAddress, seller.address)).to.changeTokenBalances(
        ethers,
        usdc,
        [escrow, seller],
        [-(amount - fee), amount - fee],
      );
      await expect(escrow.withdrawFor(await timelock.getAddress(), usdcAddress)).to.changeTokenBalances(
        ethers,
        usdc,
        [escrow, timelock],
        [-fee, fee],
      );
      expect((await escrow.getOrder(orderId)).state).to.equal(OrderState.Completed);
    });

    it("rejects address(0), since ETH is always accepted", async () => {
      const { escrow, dao } = await networkHelpers.loadFixture(withDao);
      await expect(escrow.connect(dao).setPaymentToken(ETH, false)).to.be.revertedWithCustomError(
        escrow,
        "EscrowZeroAddress",
      );
      await expect(escrow.connect(dao).setPaymentToken(ETH, true)).to.be.revertedWithCustomError(
        escrow,
        "EscrowZeroAddress",
      );
      expect(await escrow.isPaymentToken(ETH)).to.equal(true);
    });

    it("rejects anyone but the timelock", async () => {
      const { escrow, token, accounts } = await networkHelpers.loadFixture(withDao);
      await expect(escrow.connect(accounts.deployer).setPaymentToken(await token.getAddress(), true))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.deployer.address, ADMIN_ROLE);
    });
  });

  describe("setPaused", () => {
    it("lets the guardian pause and unpause the creation of orders", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(withDao);
      const guardian = accounts.deployer;

      await expect(escrow.connect(guardian).setPaused(true)).to.emit(escrow, "Paused").withArgs(guardian.address, true);
      expect(await escrow.paused()).to.equal(true);
      await expect(escrow.connect(guardian).setPaused(false))
        .to.emit(escrow, "Paused")
        .withArgs(guardian.address, false);
      expect(await escrow.paused()).to.equal(false);
    });

    it("rejects anyone without the guardian role, the timelock included", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      const guardianRole = await escrow.GUARDIAN_ROLE();
      await expect(escrow.connect(dao).setPaused(true))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(dao.address, guardianRole);
      await expect(escrow.connect(accounts.arbiter).setPaused(true))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.arbiter.address, guardianRole);
    });
  });

  describe("role management", () => {
    it("makes the timelock the admin of the arbiter and guardian roles", async () => {
      const { escrow } = await networkHelpers.loadFixture(withDao);
      expect(await escrow.ARBITER_ROLE()).to.equal(ethers.id("ARBITER_ROLE"));
      expect(await escrow.GUARDIAN_ROLE()).to.equal(ethers.id("GUARDIAN_ROLE"));
      expect(await escrow.getRoleAdmin(await escrow.ARBITER_ROLE())).to.equal(ADMIN_ROLE);
      expect(await escrow.getRoleAdmin(await escrow.GUARDIAN_ROLE())).to.equal(ADMIN_ROLE);
    });

    it("lets the timelock appoint an arbiter, who can then rule", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      const [newArbiter] = accounts.others;
      const arbiterRole = await escrow.ARBITER_ROLE();
      const orderId = await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], 1_000n);
      await escrow.connect(accounts.buyers[0]).openDispute(orderId);

      await expect(escrow.connect(dao).grantRole(arbiterRole, newArbiter.address))
        .to.emit(escrow, "RoleGranted")
        .withArgs(arbiterRole, newArbiter.address, dao.address);

      await expect(escrow.connect(newArbiter).rule(orderId, 5_000)).to.emit(escrow, "OrderResolved");
    });

    it("lets the timelock dismiss an arbiter, who can no longer rule", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      const arbiterRole = await escrow.ARBITER_ROLE();
      const orderId = await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], 1_000n);
      await escrow.connect(accounts.buyers[0]).openDispute(orderId);

      await expect(escrow.connect(dao).revokeRole(arbiterRole, accounts.arbiter.address))
        .to.emit(escrow, "RoleRevoked")
        .withArgs(arbiterRole, accounts.arbiter.address, dao.address);

      await expect(escrow.connect(accounts.arbiter).rule(orderId, 5_000))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.arbiter.address, arbiterRole);
    });

    it("lets the timelock appoint another guardian", async () => {
      const { escrow, dao, accounts } = await networkHelpers.loadFixture(withDao);
      const [guardian] = accounts.others;
      await escrow.connect(dao).grantRole(await escrow.GUARDIAN_ROLE(), guardian.address);
      await expect(escrow.connect(guardian).setPaused(true)).to.emit(escrow, "Paused").withArgs(guardian.address, true);
    });

    it("rejects role changes by anyone but the timelock, the guardian and arbiters included", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(withDao);
      const arbiterRole = await escrow.ARBITER_ROLE();
      const [candidate] = accounts.others;
      await expect(escrow.connect(accounts.deployer).grantRole(arbiterRole, candidate.address))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.deployer.address, ADMIN_ROLE);
      await expect(escrow.connect(accounts.arbiter).grantRole(arbiterRole, candidate.address))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.arbiter.address, ADMIN_ROLE);
      await expect(escrow.connect(accounts.deployer).revokeRole(arbiterRole, accounts.arbiter.address))
        .to.be.revertedWithCustomError(escrow, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.deployer.address, ADMIN_ROLE);
    });
  });

  describe("constructor", () => {
    const terms = { feeBps: 250n, shipWindow: HOUR, confirmWindow: HOUR, arbitrationTimeout: DAY };

    it("grants the roles it is given and records the initial terms from order 1", async () => {
      const { accounts } = await networkHelpers.loadFixture(withDao);
      const [admin, treasury, arbiter, token] = accounts.others;
      const factory = await ethers.getContractFactory("MarketplaceEscrow");

      const escrow = await factory.deploy(admin.address, treasury.address, ETH, [arbiter.address], terms, [
        token.address,
      ]);

      await expect(escrow.deploymentTransaction())
        .to.emit(escrow, "TermsUpdated")
        .withArgs(1n, [250n, HOUR, HOUR, DAY]);
      expect(await escrow.hasRole(ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await escrow.hasRole(await escrow.ARBITER_ROLE(), arbiter.address)).to.equal(true);
      expect(await escrow.hasRole(await escrow.GUARDIAN_ROLE(), ETH)).to.equal(false);
      expect(await escrow.treasury()).to.equal(treasury.address);
      expect(await escrow.isPaymentToken(token.address)).to.equal(true);
    });

    it("rejects a zero admin or a zero treasury", async () => {
      const { accounts } = await networkHelpers.loadFixture(withDao);
      const factory = await ethers.getContractFactory("MarketplaceEscrow");
      const someone = accounts.others[0].address;
      await expect(factory.deploy(ETH, someone, someone, [], terms, [])).to.be.revertedWithCustomError(
        factory,
        "EscrowZeroAddress",
      );
      await expect(factory.deploy(someone, ETH, someone, [], terms, [])).to.be.revertedWithCustomError(
        factory,
        "EscrowZeroAddress",
      );
    });

    it("rejects a zero payment token", async () => {
      const { accounts } = await networkHelpers.loadFixture(withDao);
      const factory = await ethers.getContractFactory("MarketplaceEscrow");
      const someone = accounts.others[0].address;
      await expect(factory.deploy(someone, someone, someone, [], terms, [ETH])).to.be.revertedWithCustomError(
        factory,
        "EscrowZeroAddress",
      );
    });

    it("rejects initial terms out of bounds", async () => {
      const { accounts } = await networkHelpers.loadFixture(withDao);
      const factory = await ethers.getContractFactory("MarketplaceEscrow");
      const someone = accounts.others[0].address;
      await expect(factory.deploy(someone, someone, someone, [], { ...terms, feeBps: 1_001n }, []))
        .to.be.revertedWithCustomError(factory, "EscrowFeeTooHigh")
        .withArgs(1_001n, 1_000n);
      await expect(factory.deploy(someone, someone, someone, [], { ...terms, arbitrationTimeout: HOUR }, []))
        .to.be.revertedWithCustomError(factory, "EscrowWindowOutOfBounds")
        .withArgs(HOUR, MIN_ARBITRATION, MAX_ARBITRATION);
    });
  });
});
