import { expect } from "chai";
import { network } from "hardhat";

import { localParameters } from "../../deploy/local.js";
import type { AgriGovernor } from "../../types/ethers-contracts/index.js";
import {
  castVotes,
  closeVoting,
  delegateToSelf,
  enactProposal,
  openVoting,
  passProposal,
  ProposalState,
  propose,
  proposalArgs,
  queueProposal,
  VoteType,
  waitForEta,
} from "../support/governance-actions.js";
import type { Proposal } from "../support/governance-actions.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const AGRI = 10n ** 18n;
const { chainId } = await ethers.provider.getNetwork();
const { Governance } = localParameters((await ethers.getSigners()).map((signer) => signer.address));
const VOTING_DELAY = BigInt(Governance.votingDelay);
const VOTING_PERIOD = BigInt(Governance.votingPeriod);
const PROPOSAL_THRESHOLD = BigInt(Governance.proposalThreshold);
const QUORUM_PERCENT = BigInt(Governance.quorumPercent);
const LATE_QUORUM_EXTENSION = BigInt(Governance.lateQuorumExtension);
const TOTAL_SUPPLY = Governance.allocationAmounts.reduce(
  (sum, amount) => sum + BigInt(amount),
  BigInt(Governance.treasurySupply),
);

const BALLOT_TYPES = {
  Ballot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

/** The bytes32 bitmap Governor uses to list the states an action allows. */
function stateBitmap(...states: bigint[]) {
  return ethers.toBeHex(
    states.reduce((bits, state) => bits | (1n << state), 0n),
    32,
  );
}

/** A proposal that lengthens the voting period: harmless, and visible once executed. */
function votingPeriodProposal(governor: AgriGovernor, governorAddress: string, newPeriod: bigint): Proposal {
  return {
    targets: [governorAddress],
    values: [0n],
    calldatas: [governor.interface.encodeFunctionData("setVotingPeriod", [newPeriod])],
    description: `Set the voting period to ${newPeriod} seconds`,
  };
}

async function deployedWithDelegatedVoters() {
  const deployment = await deployLocal(connection);
  await delegateToSelf(deployment.token, deployment.accounts.voters);
  return deployment;
}

async function proposalFixture() {
  const deployment = await deployedWithDelegatedVoters();
  const { governor } = deployment;
  const proposal = votingPeriodProposal(governor, await governor.getAddress(), 2n * VOTING_PERIOD);
  return { ...deployment, proposal };
}

describe("AgriGovernor", () => {
  const fixture = () => deployLocal(connection);

  describe("configuration", () => {
    it("takes its periods, threshold, quorum, extension and timelock from the deployment", async () => {
      const { governor, timelock } = await networkHelpers.loadFixture(fixture);
      expect(await governor.name()).to.equal("AgriGovernor");
      expect(await governor.votingDelay()).to.equal(VOTING_DELAY);
      expect(await governor.votingPeriod()).to.equal(VOTING_PERIOD);
      expect(await governor.proposalThreshold()).to.equal(PROPOSAL_THRESHOLD);
      expect(await governor["quorumNumerator()"]()).to.equal(QUORUM_PERCENT);
      expect(await governor.quorumDenominator()).to.equal(100n);
      expect(await governor.lateQuorumVoteExtension()).to.equal(LATE_QUORUM_EXTENSION);
      expect(await governor.timelock()).to.equal(await timelock.getAddress());
    });

    it("follows the token's timestamp clock", async () => {
      const { governor } = await networkHelpers.loadFixture(fixture);
      await time.increase(1_000);
      expect(await governor.clock()).to.equal(BigInt(await time.latest()));
      expect(await governor.CLOCK_MODE()).to.equal("mode=timestamp");
    });

    it("sets quorum at the configured share of the total supply at the timepoint", async () => {
      const { governor } = await networkHelpers.loadFixture(fixture);
      const timepoint = (await governor.clock()) - 1n;
      expect(await governor.quorum(timepoint)).to.equal((TOTAL_SUPPLY * QUORUM_PERCENT) / 100n);
    });

    it("refuses to deploy with a zero proposal threshold", async () => {
      const { token, timelock } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("AgriGovernor");
      await expect(
        factory.deploy(token, timelock, VOTING_DELAY, VOTING_PERIOD, 0n, QUORUM_PERCENT, LATE_QUORUM_EXTENSION),
      ).to.be.revertedWithCustomError(factory, "AgriGovernorZeroProposalThreshold");
    });

    it("lets only governance change its settings", async () => {
      const { governor, timelock, accounts } = await networkHelpers.loadFixture(fixture);
      const caller = governor.connect(accounts.voters[0]);
      const attempts = [
        () => caller.setVotingDelay(5n),
        () => caller.setVotingPeriod(600n),
        () => caller.setProposalThreshold(1n),
        () => caller.setLateQuorumVoteExtension(30n),
        () => caller.updateQuorumNumerator(1n),
        () => caller.updateTimelock(timelock),
        () => caller.relay(accounts.voters[0].address, 0n, "0x"),
      ];
      for (const attempt of attempts) {
        await expect(attempt())
          .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
          .withArgs(accounts.voters[0].address);
      }
    });
  });

  describe("proposing", () => {
    it("rejects a proposer whose votes are below the threshold", async () => {
      const { governor, token, accounts } = await networkHelpers.loadFixture(proposalFixture);
      const [newcomer] = accounts.others;
      const votes = PROPOSAL_THRESHOLD - AGRI;
      await token.connect(accounts.voters[0]).transfer(newcomer.address, votes);
      await token.connect(newcomer).delegate(newcomer.address);

      const proposal = votingPeriodProposal(governor, await governor.getAddress(), 600n);
      await expect(
        governor.connect(newcomer).propose(proposal.targets, proposal.values, proposal.calldatas, proposal.description),
      )
        .to.be.revertedWithCustomError(governor, "GovernorInsufficientProposerVotes")
        .withArgs(newcomer.address, votes, PROPOSAL_THRESHOLD);
    });

    it("accepts a proposer holding exactly the threshold", async () => {
      const { governor, token, accounts } = await networkHelpers.loadFixture(proposalFixture);
      const [newcomer] = accounts.others;
      await token.connect(accounts.voters[0]).transfer(newcomer.address, PROPOSAL_THRESHOLD);
      await token.connect(newcomer).delegate(newcomer.address);

      const proposal = votingPeriodProposal(governor, await governor.getAddress(), 600n);
      const proposalId = await propose(governor, newcomer, proposal);
      expect(await governor.proposalProposer(proposalId)).to.equal(newcomer.address);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Pending);
    });
  });

  describe("proposal lifecycle", () => {
    it("goes Pending, Active, Succeeded, Queued, Executed and applies the change", async () => {
      const { governor, timelock, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const proposalId = await propose(governor, accounts.voters[0], proposal);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Pending);
      const snapshot = await governor.proposalSnapshot(proposalId);
      expect(await governor.proposalDeadline(proposalId)).to.equal(snapshot + VOTING_PERIOD);

      await openVoting(networkHelpers, governor, proposalId);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Active);

      await castVotes(governor, proposalId, accounts.voters, VoteType.For);
      await closeVoting(networkHelpers, governor, proposalId);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);

      await queueProposal(governor, proposal);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Queued);

      await waitForEta(networkHelpers, governor, proposalId);
      await expect(governor.execute(...proposalArgs(proposal)))
        .to.emit(governor, "ProposalExecuted")
        .withArgs(proposalId)
        .and.to.emit(governor, "VotingPeriodSet")
        .withArgs(VOTING_PERIOD, 2n * VOTING_PERIOD)
        .and.to.emit(timelock, "CallExecuted");
      expect(await governor.state(proposalId)).to.equal(ProposalState.Executed);
      expect(await governor.votingPeriod()).to.equal(2n * VOTING_PERIOD);
    });

    it("defeats a proposal whose support falls short of quorum", async () => {
      const { governor, token, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [smallHolder] = accounts.others;
      await token.connect(accounts.voters[0]).transfer(smallHolder.address, 2n * PROPOSAL_THRESHOLD);
      await token.connect(smallHolder).delegate(smallHolder.address);

      const proposalId = await propose(governor, smallHolder, proposal);
      await openVoting(networkHelpers, governor, proposalId);
      await castVotes(governor, proposalId, [smallHolder], VoteType.For);
      await closeVoting(networkHelpers, governor, proposalId);

      const { forVotes, againstVotes } = await governor.proposalVotes(proposalId);
      expect(forVotes).to.be.greaterThan(againstVotes);
      expect(forVotes).to.be.lessThan(await governor.quorum(await governor.proposalSnapshot(proposalId)));
      expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
      await expect(governor.queue(...proposalArgs(proposal)))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, ProposalState.Defeated, stateBitmap(ProposalState.Succeeded));
    });

    it("defeats a proposal that more votes oppose than support, even with quorum reached", async () => {
      const { governor, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [supporter, ...opponents] = accounts.voters;
      const proposalId = await propose(governor, supporter, proposal);
      await openVoting(networkHelpers, governor, proposalId);
      await castVotes(governor, proposalId, [supporter], VoteType.For);
      await castVotes(governor, proposalId, opponents, VoteType.Against);
      await closeVoting(networkHelpers, governor, proposalId);

      const { forVotes, againstVotes } = await governor.proposalVotes(proposalId);
      expect(againstVotes).to.be.greaterThan(forVotes);
      expect(forVotes).to.be.at.least(await governor.quorum(await governor.proposalSnapshot(proposalId)));
      expect(await governor.state(proposalId)).to.equal(ProposalState.Defeated);
    });

    it("lets the proposer cancel while the proposal is Pending", async () => {
      const { governor, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [proposer] = accounts.voters;
      const proposalId = await propose(governor, proposer, proposal);
      // The voting delay is short: pin the cancellation to the snapshot itself, the last Pending second.
      await time.setNextBlockTimestamp(await governor.proposalSnapshot(proposalId));

      await expect(governor.connect(proposer).cancel(...proposalArgs(proposal)))
        .to.emit(governor, "ProposalCanceled")
        .withArgs(proposalId);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Canceled);
    });

    it("refuses cancellation by anyone but the proposer", async () => {
      const { governor, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [proposer, stranger] = accounts.voters;
      const proposalId = await propose(governor, proposer, proposal);
      await time.setNextBlockTimestamp(await governor.proposalSnapshot(proposalId));

      await expect(governor.connect(stranger).cancel(...proposalArgs(proposal)))
        .to.be.revertedWithCustomError(governor, "GovernorUnableToCancel")
        .withArgs(proposalId, stranger.address);
    });

    it("refuses the proposer's cancellation once voting has started", async () => {
      const { governor, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [proposer] = accounts.voters;
      const proposalId = await propose(governor, proposer, proposal);
      await openVoting(networkHelpers, governor, proposalId);

      await expect(governor.connect(proposer).cancel(...proposalArgs(proposal)))
        .to.be.revertedWithCustomError(governor, "GovernorUnableToCancel")
        .withArgs(proposalId, proposer.address);
    });
  });

  describe("voting", () => {
    async function activeProposalFixture() {
      const deployment = await proposalFixture();
      const { governor, accounts, proposal } = deployment;
      const proposalId = await propose(governor, accounts.voters[0], proposal);
      await openVoting(networkHelpers, governor, proposalId);
      return { ...deployment, proposalId };
    }

    it("records a vote with its weight at the snapshot", async () => {
      const { governor, token, accounts, proposalId } = await networkHelpers.loadFixture(activeProposalFixture);
      const [voter] = accounts.voters;
      const weight = await token.getPastVotes(voter.address, await governor.proposalSnapshot(proposalId));

      await expect(governor.connect(voter).castVote(proposalId, VoteType.For))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, proposalId, VoteType.For, weight, "");
      expect(await governor.hasVoted(proposalId, voter.address)).to.equal(true);
      expect((await governor.proposalVotes(proposalId)).forVotes).to.equal(weight);
    });

    it("records the reason given with a vote", async () => {
      const { governor, token, accounts, proposalId } = await networkHelpers.loadFixture(activeProposalFixture);
      const [, voter] = accounts.voters;
      const weight = await token.getPastVotes(voter.address, await governor.proposalSnapshot(proposalId));
      const reason = "Longer votes let farmers in remote areas take part";

      await expect(governor.connect(voter).castVoteWithReason(proposalId, VoteType.Against, reason))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, proposalId, VoteType.Against, weight, reason);
      expect((await governor.proposalVotes(proposalId)).againstVotes).to.equal(weight);
    });

    it("counts a vote signed by the voter and submitted by a relayer", async () => {
      const { governor, token, accounts, proposalId } = await networkHelpers.loadFixture(activeProposalFixture);
      const [, , voter] = accounts.voters;
      const [relayer] = accounts.others;
      const weight = await token.getPastVotes(voter.address, await governor.proposalSnapshot(proposalId));
      const nonce = await governor.nonces(voter.address);
      const domain = { name: "AgriGovernor", version: "1", chainId, verifyingContract: await governor.getAddress() };
      const signature = await voter.signTypedData(domain, BALLOT_TYPES, {
        proposalId,
        support: VoteType.Abstain,
        voter: voter.address,
        nonce,
      });

      await expect(governor.connect(relayer).castVoteBySig(proposalId, VoteType.Abstain, voter.address, signature))
        .to.emit(governor, "VoteCast")
        .withArgs(voter.address, proposalId, VoteType.Abstain, weight, "");
      expect(await governor.hasVoted(proposalId, voter.address)).to.equal(true);
      expect(await governor.hasVoted(proposalId, relayer.address)).to.equal(false);
      expect(await governor.nonces(voter.address)).to.equal(nonce + 1n);
      expect((await governor.proposalVotes(proposalId)).abstainVotes).to.equal(weight);
    });

    it("rejects a ballot signed by someone other than the voter", async () => {
      const { governor, accounts, proposalId } = await networkHelpers.loadFixture(activeProposalFixture);
      const [voter, impostor] = accounts.voters;
      const domain = { name: "AgriGovernor", version: "1", chainId, verifyingContract: await governor.getAddress() };
      const signature = await impostor.signTypedData(domain, BALLOT_TYPES, {
        proposalId,
        support: VoteType.For,
        voter: voter.address,
        nonce: await governor.nonces(voter.address),
      });

      await expect(governor.castVoteBySig(proposalId, VoteType.For, voter.address, signature))
        .to.be.revertedWithCustomError(governor, "GovernorInvalidSignature")
        .withArgs(voter.address);
    });

    it("rejects a second vote from the same voter", async () => {
      const { governor, accounts, proposalId } = await networkHelpers.loadFixture(activeProposalFixture);
      const [voter] = accounts.voters;
      await governor.connect(voter).castVote(proposalId, VoteType.For);

      await expect(governor.connect(voter).castVote(proposalId, VoteType.Against))
        .to.be.revertedWithCustomError(governor, "GovernorAlreadyCastVote")
        .withArgs(voter.address);
    });

    it("rejects votes before the vote opens", async () => {
      const { governor, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [voter] = accounts.voters;
      const proposalId = await propose(governor, voter, proposal);
      await time.setNextBlockTimestamp(await governor.proposalSnapshot(proposalId));

      await expect(governor.connect(voter).castVote(proposalId, VoteType.For))
        .to.be.revertedWithCustomError(governor, "GovernorUnexpectedProposalState")
        .withArgs(proposalId, ProposalState.Pending, stateBitmap(ProposalState.Active));
    });
  });

  describe("late quorum", () => {
    it("extends the vote when quorum is reached in its last seconds", async () => {
      const { governor, token, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [voter] = accounts.voters;
      const proposalId = await propose(governor, voter, proposal);
      // One voter alone must be able to reach quorum for a single vote to be the late one.
      expect(await token.getVotes(voter.address)).to.be.at.least(await governor.quorum((await governor.clock()) - 1n));
      const deadline = await governor.proposalDeadline(proposalId);

      const lateVoteAt = deadline - 10n;
      await time.setNextBlockTimestamp(lateVoteAt);
      await expect(governor.connect(voter).castVote(proposalId, VoteType.For))
        .to.emit(governor, "ProposalExtended")
        .withArgs(proposalId, lateVoteAt + LATE_QUORUM_EXTENSION);
      expect(await governor.proposalDeadline(proposalId)).to.equal(lateVoteAt + LATE_QUORUM_EXTENSION);

      await time.increaseTo(deadline + 1n);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Active);
      await closeVoting(networkHelpers, governor, proposalId);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Succeeded);
    });

    it("keeps the original deadline when quorum is reached early", async () => {
      const { governor, accounts, proposal } = await networkHelpers.loadFixture(proposalFixture);
      const [voter] = accounts.voters;
      const proposalId = await propose(governor, voter, proposal);
      const deadline = await governor.proposalDeadline(proposalId);
      await openVoting(networkHelpers, governor, proposalId);

      await expect(governor.connect(voter).castVote(proposalId, VoteType.For)).to.not.emit(
        governor,
        "ProposalExtended",
      );
      expect(await governor.proposalDeadline(proposalId)).to.equal(deadline);
    });
  });

  describe("proposal threshold through governance", () => {
    it("cannot be set to zero: executing such a proposal reverts and leaves it Queued", async () => {
      const { governor, accounts } = await networkHelpers.loadFixture(deployedWithDelegatedVoters);
      const proposal: Proposal = {
        targets: [await governor.getAddress()],
        values: [0n],
        calldatas: [governor.interface.encodeFunctionData("setProposalThreshold", [0n])],
        description: "Let anyone propose without holding AGRI",
      };
      const proposalId = await passProposal({ governor, networkHelpers, voters: accounts.voters, proposal });
      await queueProposal(governor, proposal);
      await waitForEta(networkHelpers, governor, proposalId);

      // The timelock bubbles up the governor's revert, so the custom error reaches the executor intact.
      await expect(governor.execute(...proposalArgs(proposal))).to.be.revertedWithCustomError(
        governor,
        "AgriGovernorZeroProposalThreshold",
      );
      expect(await governor.proposalThreshold()).to.equal(PROPOSAL_THRESHOLD);
      expect(await governor.state(proposalId)).to.equal(ProposalState.Queued);
    });

    it("can be changed to another non-zero value", async () => {
      const { governor, accounts } = await networkHelpers.loadFixture(deployedWithDelegatedVoters);
      const newThreshold = 2n * PROPOSAL_THRESHOLD;
      const proposal: Proposal = {
        targets: [await governor.getAddress()],
        values: [0n],
        calldatas: [governor.interface.encodeFunctionData("setProposalThreshold", [newThreshold])],
        description: "Double the proposal threshold",
      };

      const execution = await enactProposal({ governor, networkHelpers, voters: accounts.voters, proposal });
      await expect(execution).to.emit(governor, "ProposalThresholdSet").withArgs(PROPOSAL_THRESHOLD, newThreshold);
      expect(await governor.proposalThreshold()).to.equal(newThreshold);
    });
  });
});
