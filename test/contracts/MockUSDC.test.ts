import { expect } from "chai";
import { network } from "hardhat";

import { deployLocal } from "../support/local-deployment.js";
import { signPermit } from "../support/permit.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

describe("MockUSDC (local chains only)", () => {
  const fixture = () => deployLocal(connection);

  it("has USDC's 6 decimals, name and symbol", async () => {
    const { usdc } = await networkHelpers.loadFixture(fixture);
    expect(await usdc.decimals()).to.equal(6n);
    expect(await usdc.name()).to.equal("Mock USD Coin");
    expect(await usdc.symbol()).to.equal("USDC");
  });

  it("lets anyone mint to anyone, like a faucet", async () => {
    const { usdc, accounts } = await networkHelpers.loadFixture(fixture);
    const [stranger, recipient] = accounts.others;
    await expect(usdc.connect(stranger).mint(recipient.address, 5_000_000n)).to.changeTokenBalance(
      ethers,
      usdc,
      recipient,
      5_000_000n,
    );
    expect(await usdc.totalSupply()).to.equal(5_000_000n);
  });

  it("accepts an ERC-2612 permit and rejects it a second time", async () => {
    const { usdc, accounts } = await networkHelpers.loadFixture(fixture);
    const [owner, spender] = accounts.others;
    const deadline = (await networkHelpers.time.latest()) + 600;
    const { v, r, s } = await signPermit(usdc, owner, { spender: spender.address, value: 42n, deadline });

    await usdc.permit(owner.address, spender.address, 42n, deadline, v, r, s);
    expect(await usdc.allowance(owner.address, spender.address)).to.equal(42n);
    expect(await usdc.nonces(owner.address)).to.equal(1n);
    await expect(usdc.permit(owner.address, spender.address, 42n, deadline, v, r, s)).to.be.revertedWithCustomError(
      usdc,
      "ERC2612InvalidSigner",
    );
  });
});
