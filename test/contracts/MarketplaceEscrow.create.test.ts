import { expect } from "chai";
import { network } from "hardhat";

import { asTimelock, feeOn, openOrder, OrderState, orderRef } from "../support/escrow-actions.js";
import { deployLocal } from "../support/local-deployment.js";
import { signPermit } from "../support/permit.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const HOUR = 60n * 60n;
const DAY = 24n * HOUR;
const ETH_AMOUNT = ethers.parseEther("1.5");
const USDC_AMOUNT = 250_000_000n;

/** Signs an ERC-2612 permit for MockUSDC, as a wallet would for the marketplace's checkout. */
describe("MarketplaceEscrow: creating orders", () => {
  const fixture = () => deployLocal(connection);

  describe("createOrder", () => {
    it("opens an ETH order that holds the payment and records the buyer, seller, deadline and terms", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const ref = orderRef("eth-order");
      const createdAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(createdAt);

      const tx = escrow
        .connect(buyer)
        .createOrder(seller.address, ethers.ZeroAddress, ETH_AMOUNT, ref, { value: ETH_AMOUNT });

      await expect(tx)
        .to.emit(escrow, "OrderCreated")
        .withArgs(
          1n,
          ref,
          buyer.address,
          seller.address,
          ethers.ZeroAddress,
          ETH_AMOUNT,
          createdAt + HOUR,
          250n,
          HOUR,
          DAY,
        );
      await expect(tx).to.changeEtherBalances(ethers, [buyer, escrow], [-ETH_AMOUNT, ETH_AMOUNT]);
      const order = await escrow.getOrder(1n);
      expect(order.buyer).to.equal(buyer.address);
      expect(order.seller).to.equal(seller.address);
      expect(order.token).to.equal(ethers.ZeroAddress);
      expect(order.amount).to.equal(ETH_AMOUNT);
      expect(order.state).to.equal(OrderState.Funded);
      expect(order.deadline).to.equal(createdAt + HOUR);
      expect(order.shippedBeforeDispute).to.equal(false);
      expect([...order.terms]).to.deep.equal([250n, HOUR, HOUR, DAY]);
      expect(order.settlementProposer).to.equal(ethers.ZeroAddress);
      expect(order.settlementBuyerBps).to.equal(0n);
      expect(await escrow.orderIdOf(buyer.address, ref)).to.equal(1n);
      expect(await escrow.nextOrderId()).to.equal(2n);
    });

    it("opens a MockUSDC order by pulling exactly the approved amount from the buyer", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const usdcAddress = await usdc.getAddress();
      await usdc.mint(buyer.address, USDC_AMOUNT);
      await usdc.connect(buyer).approve(await escrow.getAddress(), USDC_AMOUNT);
      const ref = orderRef("usdc-order");
      const createdAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(createdAt);

      const tx = escrow.connect(buyer).createOrder(seller.address, usdcAddress, USDC_AMOUNT, ref);

      await expect(tx)
        .to.emit(escrow, "OrderCreated")
        .withArgs(1n, ref, buyer.address, seller.address, usdcAddress, USDC_AMOUNT, createdAt + HOUR, 250n, HOUR, DAY);
      await expect(tx).to.changeTokenBalances(ethers, usdc, [buyer, escrow], [-USDC_AMOUNT, USDC_AMOUNT]);
      const order = await escrow.getOrder(1n);
      expect(order.token).to.equal(usdcAddress);
      expect(order.amount).to.equal(USDC_AMOUNT);
      expect(order.state).to.equal(OrderState.Funded);
      expect(await usdc.allowance(buyer.address, await escrow.getAddress())).to.equal(0n);
    });

    it("assigns consecutive ids and maps each buyer's ref to its order", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer, otherBuyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const first = orderRef("first");
      const second = orderRef("second");

      await openOrder(escrow, buyer, seller, ETH_AMOUNT, { ref: first });
      await openOrder(escrow, otherBuyer, seller, ETH_AMOUNT, { ref: second });

      expect(await escrow.orderIdOf(buyer.address, first)).to.equal(1n);
      expect(await escrow.orderIdOf(otherBuyer.address, second)).to.equal(2n);
      expect(await escrow.orderIdOf(otherBuyer.address, first)).to.equal(0n);
      expect(await escrow.orderIdOf(buyer.address, second)).to.equal(0n);
      expect(await escrow.orderIdOf(buyer.address, orderRef("never used"))).to.equal(0n);
      expect(await escrow.nextOrderId()).to.equal(3n);
      expect((await escrow.getOrder(2n)).buyer).to.equal(otherBuyer.address);
    });

    it("accepts the largest amount that fits in 96 bits", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const max = 2n ** 96n - 1n;
      const orderId = await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], max, { usdc });
      expect((await escrow.getOrder(orderId)).amount).to.equal(max);
    });

    it("reports an order that was never created as nonexistent", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      await expect(escrow.getOrder(0n)).to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder").withArgs(0n);
      await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], ETH_AMOUNT);
      await expect(escrow.getOrder(2n)).to.be.revertedWithCustomError(escrow, "EscrowNonexistentOrder").withArgs(2n);
    });
  });

  describe("createOrder reverts", () => {
    it("rejects a token that is not allow-listed", async () => {
      const { escrow, token, accounts } = await networkHelpers.loadFixture(fixture);
      const agri = await token.getAddress();
      await expect(
        escrow.connect(accounts.buyers[0]).createOrder(accounts.farmers[0].address, agri, 1n, orderRef("agri")),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowTokenNotAllowed")
        .withArgs(agri);
    });

    it("rejects a zero seller and the buyer as their own seller", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      await expect(
        escrow
          .connect(buyer)
          .createOrder(ethers.ZeroAddress, ethers.ZeroAddress, ETH_AMOUNT, orderRef("a"), { value: ETH_AMOUNT }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidSeller")
        .withArgs(ethers.ZeroAddress);
      await expect(
        escrow
          .connect(buyer)
          .createOrder(buyer.address, ethers.ZeroAddress, ETH_AMOUNT, orderRef("b"), { value: ETH_AMOUNT }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidSeller")
        .withArgs(buyer.address);
    });

    it("rejects a zero amount and an amount of 2^96", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const seller = accounts.farmers[0].address;
      await expect(escrow.connect(buyer).createOrder(seller, ethers.ZeroAddress, 0n, orderRef("zero")))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidAmount")
        .withArgs(0n);
      const tooMuch = 2n ** 96n;
      await usdc.mint(buyer.address, tooMuch);
      await usdc.connect(buyer).approve(await escrow.getAddress(), tooMuch);
      await expect(escrow.connect(buyer).createOrder(seller, await usdc.getAddress(), tooMuch, orderRef("huge")))
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidAmount")
        .withArgs(tooMuch);
    });

    it("rejects a ref the same buyer already used, naming the buyer and that order", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const ref = orderRef("reused");
      await openOrder(escrow, buyer, accounts.farmers[0], ETH_AMOUNT);
      await openOrder(escrow, buyer, accounts.farmers[0], ETH_AMOUNT, { ref });
      await expect(
        escrow
          .connect(buyer)
          .createOrder(accounts.farmers[1].address, ethers.ZeroAddress, ETH_AMOUNT, ref, { value: ETH_AMOUNT }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowDuplicateRef")
        .withArgs(buyer.address, ref, 2n);
      expect(await escrow.nextOrderId()).to.equal(3n);
    });

    it("lets a second buyer use a ref another buyer already used: refs are per buyer", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [first, second] = accounts.buyers;
      const ref = orderRef("shared");
      await openOrder(escrow, first, accounts.farmers[0], ETH_AMOUNT, { ref });
      const createdAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(createdAt);

      await expect(
        escrow
          .connect(second)
          .createOrder(accounts.farmers[1].address, ethers.ZeroAddress, ETH_AMOUNT, ref, { value: ETH_AMOUNT }),
      )
        .to.emit(escrow, "OrderCreated")
        .withArgs(
          2n,
          ref,
          second.address,
          accounts.farmers[1].address,
          ethers.ZeroAddress,
          ETH_AMOUNT,
          createdAt + HOUR,
          250n,
          HOUR,
          DAY,
        );

      expect(await escrow.orderIdOf(first.address, ref)).to.equal(1n);
      expect(await escrow.orderIdOf(second.address, ref)).to.equal(2n);
      expect((await escrow.getOrder(2n)).buyer).to.equal(second.address);
    });

    it("rejects an ETH order paid with less or more than its amount", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const buyer = escrow.connect(accounts.buyers[0]);
      const seller = accounts.farmers[0].address;
      await expect(
        buyer.createOrder(seller, ethers.ZeroAddress, ETH_AMOUNT, orderRef("under"), { value: ETH_AMOUNT - 1n }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowIncorrectValue")
        .withArgs(ETH_AMOUNT, ETH_AMOUNT - 1n);
      await expect(
        buyer.createOrder(seller, ethers.ZeroAddress, ETH_AMOUNT, orderRef("over"), { value: ETH_AMOUNT + 1n }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowIncorrectValue")
        .withArgs(ETH_AMOUNT, ETH_AMOUNT + 1n);
    });

    it("rejects ETH sent along with a token order", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      await usdc.mint(buyer.address, USDC_AMOUNT);
      await usdc.connect(buyer).approve(await escrow.getAddress(), USDC_AMOUNT);
      await expect(
        escrow
          .connect(buyer)
          .createOrder(accounts.farmers[0].address, await usdc.getAddress(), USDC_AMOUNT, orderRef("mixed"), {
            value: 1n,
          }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowIncorrectValue")
        .withArgs(0n, 1n);
    });
  });

  describe("createOrderWithPermit", () => {
    it("opens a MockUSDC order on a permit signed by the buyer, without a prior approval", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const escrowAddress = await escrow.getAddress();
      const usdcAddress = await usdc.getAddress();
      await usdc.mint(buyer.address, USDC_AMOUNT);
      const permitDeadline = BigInt(await time.latest()) + DAY;
      const { v, r, s } = await signPermit(usdc, buyer, {
        spender: escrowAddress,
        value: USDC_AMOUNT,
        deadline: permitDeadline,
      });
      const ref = orderRef("permit");
      const createdAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(createdAt);

      const tx = escrow
        .connect(buyer)
        .createOrderWithPermit(seller.address, usdcAddress, USDC_AMOUNT, ref, permitDeadline, v, r, s);

      await expect(tx)
        .to.emit(escrow, "OrderCreated")
        .withArgs(1n, ref, buyer.address, seller.address, usdcAddress, USDC_AMOUNT, createdAt + HOUR, 250n, HOUR, DAY);
      await expect(tx).to.changeTokenBalances(ethers, usdc, [buyer, escrow], [-USDC_AMOUNT, USDC_AMOUNT]);
      expect(await usdc.nonces(buyer.address)).to.equal(1n);
      expect(await usdc.allowance(buyer.address, escrowAddress)).to.equal(0n);
      expect(await escrow.orderIdOf(buyer.address, ref)).to.equal(1n);
    });

    it("still opens the order when someone front-ran the permit and the allowance is in place", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [frontRunner] = accounts.others;
      const escrowAddress = await escrow.getAddress();
      await usdc.mint(buyer.address, USDC_AMOUNT);
      const permitDeadline = BigInt(await time.latest()) + DAY;
      const { v, r, s } = await signPermit(usdc, buyer, {
        spender: escrowAddress,
        value: USDC_AMOUNT,
        deadline: permitDeadline,
      });
      await usdc.connect(frontRunner).permit(buyer.address, escrowAddress, USDC_AMOUNT, permitDeadline, v, r, s);

      const tx = escrow
        .connect(buyer)
        .createOrderWithPermit(
          accounts.farmers[0].address,
          await usdc.getAddress(),
          USDC_AMOUNT,
          orderRef("front-run"),
          permitDeadline,
          v,
          r,
          s,
        );

      await expect(tx).to.changeTokenBalances(ethers, usdc, [buyer, escrow], [-USDC_AMOUNT, USDC_AMOUNT]);
      expect((await escrow.getOrder(1n)).state).to.equal(OrderState.Funded);
    });

    it("reverts with the token's allowance error, bubbled up by SafeERC20, for an invalid permit and no allowance", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const escrowAddress = await escrow.getAddress();
      await usdc.mint(buyer.address, USDC_AMOUNT);
      const permitDeadline = BigInt(await time.latest()) + DAY;
      // Signed for a smaller value than the order, so the token rejects it as an invalid signature.
      const { v, r, s } = await signPermit(usdc, buyer, {
        spender: escrowAddress,
        value: USDC_AMOUNT - 1n,
        deadline: permitDeadline,
      });

      await expect(
        escrow
          .connect(buyer)
          .createOrderWithPermit(
            accounts.farmers[0].address,
            await usdc.getAddress(),
            USDC_AMOUNT,
            orderRef("bad-permit"),
            permitDeadline,
            v,
            r,
            s,
          ),
      )
        .to.be.revertedWithCustomError(usdc, "ERC20InsufficientAllowance")
        .withArgs(escrowAddress, 0n, USDC_AMOUNT);
    });

    it("rejects ETH (address(0)) as the token", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      await expect(
        escrow
          .connect(accounts.buyers[0])
          .createOrderWithPermit(
            accounts.farmers[0].address,
            ethers.ZeroAddress,
            ETH_AMOUNT,
            orderRef("eth-permit"),
            0n,
            27,
            ethers.ZeroHash,
            ethers.ZeroHash,
          ),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowTokenNotAllowed")
        .withArgs(ethers.ZeroAddress);
    });

    it("rejects a permit token that is not allow-listed", async () => {
      const { escrow, token, accounts } = await networkHelpers.loadFixture(fixture);
      const agri = await token.getAddress();
      await expect(
        escrow
          .connect(accounts.buyers[0])
          .createOrderWithPermit(
            accounts.farmers[0].address,
            agri,
            1n,
            orderRef("agri"),
            0n,
            27,
            ethers.ZeroHash,
            ethers.ZeroHash,
          ),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowTokenNotAllowed")
        .withArgs(agri);
    });

    it("rejects a permit token address that holds no code", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const notAToken = accounts.others[0].address;
      await expect(
        escrow
          .connect(accounts.buyers[0])
          .createOrderWithPermit(
            accounts.farmers[0].address,
            notAToken,
            1n,
            orderRef("eoa"),
            0n,
            27,
            ethers.ZeroHash,
            ethers.ZeroHash,
          ),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowTokenNotAllowed")
        .withArgs(notAToken);
    });
  });

  describe("createOrders", () => {
    it("opens one ETH order per request for the summed value, with consecutive ids and one event each", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      await openOrder(escrow, buyer, accounts.farmers[0], ETH_AMOUNT);
      const requests = accounts.farmers.map((farmer, i) => ({
        seller: farmer.address,
        amount: ethers.parseEther("0.1") * BigInt(i + 1),
        ref: orderRef(`cart-${i}`),
      }));
      const total = requests.reduce((sum, request) => sum + request.amount, 0n);
      const createdAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(createdAt);

      expect(
        await escrow.connect(buyer).createOrders.staticCall(ethers.ZeroAddress, requests, { value: total }),
      ).to.deep.equal([2n, 3n, 4n]);
      const tx = escrow.connect(buyer).createOrders(ethers.ZeroAddress, requests, { value: total });

      for (const [i, request] of requests.entries()) {
        await expect(tx)
          .to.emit(escrow, "OrderCreated")
          .withArgs(
            BigInt(i + 2),
            request.ref,
            buyer.address,
            request.seller,
            ethers.ZeroAddress,
            request.amount,
            createdAt + HOUR,
            250n,
            HOUR,
            DAY,
          );
      }
      await expect(tx).to.changeEtherBalances(ethers, [buyer, escrow], [-total, total]);
      const receipt = await (await tx).wait();
      const created = receipt!.logs.filter((log) => escrow.interface.parseLog(log)?.name === "OrderCreated");
      expect(created).to.have.length(requests.length);
      for (const [i, request] of requests.entries()) {
        const order = await escrow.getOrder(BigInt(i + 2));
        expect(order.seller).to.equal(request.seller);
        expect(order.amount).to.equal(request.amount);
        expect(order.state).to.equal(OrderState.Funded);
        expect(await escrow.orderIdOf(buyer.address, request.ref)).to.equal(BigInt(i + 2));
      }
      expect(await escrow.nextOrderId()).to.equal(5n);
    });

    it("opens a MockUSDC batch by pulling the summed amount", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const usdcAddress = await usdc.getAddress();
      const requests = [
        { seller: accounts.farmers[0].address, amount: 10_000_000n, ref: orderRef("usdc-cart-0") },
        { seller: accounts.farmers[1].address, amount: 32_500_000n, ref: orderRef("usdc-cart-1") },
      ];
      const total = 42_500_000n;
      await usdc.mint(buyer.address, total);
      await usdc.connect(buyer).approve(await escrow.getAddress(), total);
      const createdAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(createdAt);

      const tx = escrow.connect(buyer).createOrders(usdcAddress, requests);

      await expect(tx)
        .to.emit(escrow, "OrderCreated")
        .withArgs(
          1n,
          requests[0].ref,
          buyer.address,
          requests[0].seller,
          usdcAddress,
          requests[0].amount,
          createdAt + HOUR,
          250n,
          HOUR,
          DAY,
        );
      await expect(tx)
        .to.emit(escrow, "OrderCreated")
        .withArgs(
          2n,
          requests[1].ref,
          buyer.address,
          requests[1].seller,
          usdcAddress,
          requests[1].amount,
          createdAt + HOUR,
          250n,
          HOUR,
          DAY,
        );
      await expect(tx).to.changeTokenBalances(ethers, usdc, [buyer, escrow], [-total, total]);
      expect((await escrow.getOrder(2n)).token).to.equal(usdcAddress);
      expect(await escrow.nextOrderId()).to.equal(3n);
    });

    it("rejects an empty batch", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      await expect(
        escrow.connect(accounts.buyers[0]).createOrders(ethers.ZeroAddress, []),
      ).to.be.revertedWithCustomError(escrow, "EscrowEmptyBatch");
    });

    it("rejects a ref used twice inside the same batch, naming the batch's earlier order", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      await openOrder(escrow, accounts.buyers[0], accounts.farmers[0], ETH_AMOUNT);
      const ref = orderRef("twice");
      const requests = [
        { seller: accounts.farmers[0].address, amount: 1n, ref },
        { seller: accounts.farmers[1].address, amount: 1n, ref },
      ];
      await expect(escrow.connect(accounts.buyers[0]).createOrders(ethers.ZeroAddress, requests, { value: 2n }))
        .to.be.revertedWithCustomError(escrow, "EscrowDuplicateRef")
        .withArgs(accounts.buyers[0].address, ref, 2n);
    });

    it("rejects a batch paid with a value other than the sum of its amounts", async () => {
      const { escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const requests = [
        { seller: accounts.farmers[0].address, amount: 100n, ref: orderRef("x") },
        { seller: accounts.farmers[1].address, amount: 200n, ref: orderRef("y") },
      ];
      const buyer = escrow.connect(accounts.buyers[0]);
      await expect(buyer.createOrders(ethers.ZeroAddress, requests, { value: 200n }))
        .to.be.revertedWithCustomError(escrow, "EscrowIncorrectValue")
        .withArgs(300n, 200n);
      await expect(buyer.createOrders(ethers.ZeroAddress, requests, { value: 301n }))
        .to.be.revertedWithCustomError(escrow, "EscrowIncorrectValue")
        .withArgs(300n, 301n);
    });

    it("rejects ETH sent with a token batch", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      await usdc.mint(buyer.address, 100n);
      await usdc.connect(buyer).approve(await escrow.getAddress(), 100n);
      const requests = [{ seller: accounts.farmers[0].address, amount: 100n, ref: orderRef("token-cart") }];
      await expect(escrow.connect(buyer).createOrders(await usdc.getAddress(), requests, { value: 100n }))
        .to.be.revertedWithCustomError(escrow, "EscrowIncorrectValue")
        .withArgs(0n, 100n);
    });

    it("applies every createOrder check to each request of a batch", async () => {
      const { escrow, token, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const valid = { seller: accounts.farmers[0].address, amount: 1n, ref: orderRef("ok") };
      const batch = escrow.connect(buyer);
      await expect(batch.createOrders(await token.getAddress(), [valid]))
        .to.be.revertedWithCustomError(escrow, "EscrowTokenNotAllowed")
        .withArgs(await token.getAddress());
      await expect(
        batch.createOrders(ethers.ZeroAddress, [valid, { seller: buyer.address, amount: 1n, ref: orderRef("self") }], {
          value: 2n,
        }),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidSeller")
        .withArgs(buyer.address);
      await expect(
        batch.createOrders(
          ethers.ZeroAddress,
          [valid, { seller: accounts.farmers[1].address, amount: 0n, ref: orderRef("zero") }],
          {
            value: 1n,
          },
        ),
      )
        .to.be.revertedWithCustomError(escrow, "EscrowInvalidAmount")
        .withArgs(0n);
    });
  });

  describe("while paused", () => {
    it("rejects every form of new order, and accepts them again once unpaused", async () => {
      const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const seller = accounts.farmers[0].address;
      await escrow.connect(accounts.deployer).setPaused(true);

      await expect(
        escrow
          .connect(buyer)
          .createOrder(seller, ethers.ZeroAddress, ETH_AMOUNT, orderRef("p1"), { value: ETH_AMOUNT }),
      ).to.be.revertedWithCustomError(escrow, "EscrowPaused");
      await expect(
        escrow
          .connect(buyer)
          .createOrderWithPermit(
            seller,
            await usdc.getAddress(),
            1n,
            orderRef("p2"),
            0n,
            27,
            ethers.ZeroHash,
            ethers.ZeroHash,
          ),
      ).to.be.revertedWithCustomError(escrow, "EscrowPaused");
      await expect(
        escrow
          .connect(buyer)
          .createOrders(ethers.ZeroAddress, [{ seller, amount: 1n, ref: orderRef("p3") }], { value: 1n }),
      ).to.be.revertedWithCustomError(escrow, "EscrowPaused");

      await escrow.connect(accounts.deployer).setPaused(false);
      const orderId = await openOrder(escrow, buyer, accounts.farmers[0], ETH_AMOUNT);
      expect((await escrow.getOrder(orderId)).state).to.equal(OrderState.Funded);
    });
  });

  describe("terms snapshot", () => {
    it("keeps an order's fee and windows when the DAO changes them, while new orders get the new ones", async () => {
      const { escrow, timelock, accounts } = await networkHelpers.loadFixture(fixture);
      const [buyer] = accounts.buyers;
      const [seller] = accounts.farmers;
      const dao = await asTimelock(connection, timelock);
      const oldOrder = await openOrder(escrow, buyer, seller, ETH_AMOUNT);

      await escrow.connect(dao).setFee(600);
      await escrow.connect(dao).setWindows(2n * HOUR, 3n * HOUR, 2n * DAY);
      const newCreatedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(newCreatedAt);
      const newOrder = await openOrder(escrow, buyer, seller, ETH_AMOUNT);

      expect([...(await escrow.getOrder(oldOrder)).terms]).to.deep.equal([250n, HOUR, HOUR, DAY]);
      expect([...(await escrow.getOrder(newOrder)).terms]).to.deep.equal([600n, 2n * HOUR, 3n * HOUR, 2n * DAY]);
      expect((await escrow.getOrder(newOrder)).deadline).to.equal(newCreatedAt + 2n * HOUR);

      const shippedAt = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(shippedAt);
      await expect(escrow.connect(seller).markShipped(oldOrder))
        .to.emit(escrow, "OrderShipped")
        .withArgs(oldOrder, seller.address, shippedAt + HOUR);
      await time.setNextBlockTimestamp(shippedAt + 1n);
      await expect(escrow.connect(seller).markShipped(newOrder))
        .to.emit(escrow, "OrderShipped")
        .withArgs(newOrder, seller.address, shippedAt + 1n + 3n * HOUR);

      const oldFee = feeOn(ETH_AMOUNT, 250n);
      const newFee = feeOn(ETH_AMOUNT, 600n);
      await expect(escrow.connect(buyer).confirmDelivery(oldOrder))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(oldOrder, seller.address, ethers.ZeroAddress, ETH_AMOUNT - oldFee, oldFee, false);
      await expect(escrow.connect(buyer).confirmDelivery(newOrder))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(newOrder, seller.address, ethers.ZeroAddress, ETH_AMOUNT - newFee, newFee, false);
      expect(await escrow.creditOf(await timelock.getAddress(), ethers.ZeroAddress)).to.equal(oldFee + newFee);
    });
  });
});
