import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { localParameters } from "../../deploy/local.js";
import type { MarketplaceEscrow } from "../../types/ethers-contracts/index.js";
import {
  closeVoting,
  delegateToSelf,
  enactProposal,
  openVoting,
  ProposalState,
  propose,
  proposalArgs,
  VoteType,
} from "../support/governance-actions.js";
import type { Proposal } from "../support/governance-actions.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const AGRI = 10n ** 18n;
const BPS = 10_000n;
const { Governance, Local } = localParameters((await ethers.getSigners()).map((signer) => signer.address));
const TIMELOCK_DELAY = BigInt(Governance.timelockDelay);
const INITIAL_FEE_BPS = BigInt(Local.feeBps);

/** Opens an ETH order from `buyer` to `farmer` and returns its id. */
async function openEthOrder(
  escrow: MarketplaceEscrow,
  buyer: HardhatEthersSigner,
  farmer: HardhatEthersSigner,
  amount: bigint,
  ref: string,
) {
  const orderId = await escrow.nextOrderId();
  const creation = await escrow
    .connect(buyer)
    .createOrder(farmer.address, ethers.ZeroAddress, amount, ethers.id(ref), { value: amount });
  await creation.wait();
  return orderId;
}

/** The batch GovernorTimelockControl schedules: no predecessor, salted with governor address ^ description hash. */
function timelockBatch(governorAddress: string, proposal: Proposal): [string[], bigint[], string[], string, string] {
  const [targets, values, calldatas, descriptionHash] = proposalArgs(proposal);
  const salt = ethers.toBeHex((BigInt(governorAddress) << 96n) ^ BigInt(descriptionHash), 32);
  return [targets, values, calldatas, ethers.ZeroHash, salt];
}

describe("Governance end to end", () => {
  const fixture = () => deployLocal(connection);

  it("governance changes the escrow's fee end to end", async () => {
    const { escrow, token, governor, timelock, accounts } = await networkHelpers.loadFixture(fixture);
    const [proposer, supporter, abstainer] = accounts.voters;
    const [farmer] = accounts.farmers;
    const [buyer] = accounts.buyers;
    const amount = ethers.parseEther("1");
    const earlierOrderId = await openEthOrder(escrow, buyer, farmer, amount, "order-before-the-vote");

    await delegateToSelf(token, accounts.voters);
    const newFeeBps = 300n;
    const proposal: Proposal = {
      targets: [await escrow.getAddress()],
      values: [0n],
      calldatas: [escrow.interface.encodeFunctionData("setFee", [newFeeBps])],
      description: "Raise the platform fee to 3% to fund arbitration",
    };
    const proposalId = await propose(governor, proposer, proposal);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Pending);

    await openVoting(networkHelpers, governor, proposalId);
    const reason = "Arbiters need to be paid";
    await expect(governor.connect(proposer).castVote(proposalId, VoteType.For))
      .to.emit(governor, "VoteCast")
      .withArgs(proposer.address, proposalId, VoteType.For, await token.getVotes(proposer.address), "");
    await expect(governor.connect(supporter).castVoteWithReason(proposalId, VoteType.For, reason))
      .to.emit(governor, "VoteCast")
      .withArgs(supporter.address, proposalId, VoteType.For, await token.getVotes(supporter.address), reason);
    await expect(governor.connect(abstainer).castVote(proposalId, VoteType.Abstain))
      .to.emit(governor, "VoteCast")
      .withArgs(abstainer.address, proposalId, VoteType.Abstain, await token.getVotes(abstainer.address), "");

    await closeVoting(networkHelpers, governor, proposalId);
    expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);

    const queuedAt = BigInt(await time.latest()) + 1n;
    await time.setNextBlockTimestamp(queuedAt);
    const eta = queuedAt + TIMELOCK_DELAY;
    await expect(governor.queue(...proposalArgs(proposal)))
      .to.emit(governor, "ProposalQueued")
      .withArgs(proposalId, eta);
    expect(await governor.proposalEta(proposalId)).to.equal(eta);

    const operationId = await timelock.hashOperationBatch(...timelockBatch(await governor.getAddress(), proposal));
    const readyOnly = ethers.toBeHex(1n << 2n, 32); // TimelockController.OperationState.Ready
    await expect(governor.execute(...proposalArgs(proposal)))
      .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
      .withArgs(operationId, readyOnly);

    await time.increaseTo(eta);
    await expect(governor.execute(...proposalArgs(proposal)))
      .to.emit(governor, "ProposalExecuted")
      .withArgs(proposalId)
      .and.to.emit(escrow, "TermsUpdated");
    expect(await governor.state(proposalId)).to.equal(ProposalState.Executed);
    expect((await escrow.currentTerms()).feeBps).to.equal(newFeeBps);

    const laterOrderId = await openEthOrder(escrow, buyer, farmer, amount, "order-after-the-vote");
    expect((await escrow.getOrder(earlierOrderId)).terms.feeBps).to.equal(INITIAL_FEE_BPS);
    expect((await escrow.getOrder(laterOrderId)).terms.feeBps).to.equal(newFeeBps);

    const treasury = await timelock.getAddress();
    for (const [orderId, feeBps] of [
      [earlierOrderId, INITIAL_FEE_BPS],
      [laterOrderId, newFeeBps],
    ] as const) {
      const fee = (amount * feeBps) / BPS;
      await escrow.connect(farmer).markShipped(orderId);
      const creditBefore = await escrow.creditOf(treasury, ethers.ZeroAddress);
      await expect(escrow.connect(buyer).confirmDelivery(orderId))
        .to.emit(escrow, "OrderCompleted")
        .withArgs(orderId, farmer.address, ethers.ZeroAddress, amount - fee, fee, false);
      expect(await escrow.creditOf(treasury, ethers.ZeroAddress)).to.equal(creditBefore + fee);
    }
  });

  it("governance pays a farmer ETH and AGRI from the treasury", async () => {
    const { token, governor, timelock, accounts } = await networkHelpers.loadFixture(fixture);
    const [farmer] = accounts.farmers;
    await delegateToSelf(token, accounts.voters);
    // The treasury holds AGRI from deployment; ETH reaches it as it would from any donor or fee withdrawal.
    await accounts.deployer.sendTransaction({ to: await timelock.getAddress(), value: ethers.parseEther("5") });

    const grantEth = ethers.parseEther("2");
    const grantAgri = 50_000n * AGRI;
    const proposal: Proposal = {
      targets: [farmer.address, await token.getAddress()],
      values: [grantEth, 0n],
      calldatas: ["0x", token.interface.encodeFunctionData("transfer", [farmer.address, grantAgri])],
      description: "Grant a farmer 2 ETH and 50,000 AGRI to start a cooperative",
    };

    const execution = await enactProposal({ governor, networkHelpers, voters: accounts.voters, proposal });
    await expect(execution).to.changeEtherBalances(ethers, [timelock, farmer], [-grantEth, grantEth]);
    await expect(execution).to.changeTokenBalances(ethers, token, [timelock, farmer], [-grantAgri, grantAgri]);
  });
});
