import { expect } from "chai";
import { network } from "hardhat";

import EscrowModule from "../../deploy/EscrowModule.js";
import { LOCAL_VOTER_AGRI } from "../../deploy/local.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, ignition, networkHelpers } = connection;

describe("Local deployment (Ignition LocalModule)", () => {
  const fixture = () => deployLocal(connection);

  it("makes the timelock the escrow's only admin and its treasury", async () => {
    const { escrow, timelock, accounts } = await networkHelpers.loadFixture(fixture);
    const adminRole = await escrow.DEFAULT_ADMIN_ROLE();
    expect(await escrow.hasRole(adminRole, await timelock.getAddress())).to.equal(true);
    expect(await escrow.hasRole(adminRole, accounts.deployer.address)).to.equal(false);
    expect(await escrow.treasury()).to.equal(await timelock.getAddress());
  });

  it("allow-lists MockUSDC and ETH and appoints the local arbiter and guardian", async () => {
    const { escrow, usdc, accounts } = await networkHelpers.loadFixture(fixture);
    expect(await escrow.isPaymentToken(await usdc.getAddress())).to.equal(true);
    // ETH is token address(0), which the escrow always accepts (its own check, not the allow-list).
    expect(await escrow.isPaymentToken(ethers.ZeroAddress)).to.equal(true);
    expect(await escrow.hasRole(await escrow.ARBITER_ROLE(), accounts.arbiter.address)).to.equal(true);
    expect(await escrow.hasRole(await escrow.GUARDIAN_ROLE(), accounts.deployer.address)).to.equal(true);
  });

  it("wires the timelock: governor proposes and cancels, anyone executes, the deployer is no longer admin", async () => {
    const { timelock, governor, accounts } = await networkHelpers.loadFixture(fixture);
    const governorAddress = await governor.getAddress();
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), governorAddress)).to.equal(true);
    expect(await timelock.hasRole(await timelock.CANCELLER_ROLE(), governorAddress)).to.equal(true);
    expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), ethers.ZeroAddress)).to.equal(true);
    expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), accounts.deployer.address)).to.equal(false);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), accounts.deployer.address)).to.equal(false);
  });

  it("mints the treasury's supply to the timelock and each voter's allocation", async () => {
    const { token, timelock, accounts } = await networkHelpers.loadFixture(fixture);
    expect(await token.balanceOf(await timelock.getAddress())).to.equal(70_000_000n * 10n ** 18n);
    for (const voter of accounts.voters) {
      expect(await token.balanceOf(voter.address)).to.equal(LOCAL_VOTER_AGRI);
    }
    expect(await token.totalSupply()).to.equal(100_000_000n * 10n ** 18n);
  });

  it("refuses a live deployment that names no initial AGRI holders, which would leave the DAO unable to propose", async () => {
    let failure: unknown;
    try {
      await ignition.deploy(EscrowModule);
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.match(/allocationRecipients/);
  });
});
