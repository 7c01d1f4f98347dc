import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_VOTER_AGRI, localParameters } from "../../deploy/local.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const SETTINGS = localParameters([]).Governance;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
const Support = { Against: 0, For: 1, Abstain: 2 } as const;
const ProposalState = { Active: 1, Defeated: 3, Succeeded: 4, Queued: 5, Executed: 7 } as const;
const OperationState = { Ready: 2 } as const;

type Local = Awaited<ReturnType<typeof deployLocal>>;

async function localDeployment() {
  return deployLocal(connection);
}

async function impersonate(contract: { getAddress(): Promise<string> }): Promise<HardhatEthersSigner> {
  const address = await contract.getAddress();
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, ethers.parseEther("10"));
  return ethers.getSigner(address);
}

/** Proposes `escrow.setFee(feeBps)` from `proposer` and returns what queue/execute and the timelock need. */
async function proposeFee(local: Local, proposer: HardhatEthersSigner, feeBps: number, description: string) {
  const targets = [await local.escrow.getAddress()];
  const values = [0n];
  const calldatas = [local.escrow.interface.encodeFunctionData("setFee", [feeBps])];
  const descriptionHash = ethers.id(description);
  await local.governor.connect(proposer).propose(targets, values, calldatas, description);
  const proposalId = await local.governor.hashProposal(targets, values, calldatas, descriptionHash);
  return { proposalId, targets, values, calldatas, descriptionHash };
}

/** Moves past the voting delay so that the proposal's snapshot lies in the past and its vote is open. */
async function openVote(local: Local, proposalId: bigint) {
  await networkHelpers.time.increase(SETTINGS.votingDelay + 1);
  expect(await local.governor.state(proposalId)).to.equal(BigInt(ProposalState.Active));
}

describe("Governance under attack (Ignition LocalModule)", () => {
  describe("votes bought after the snapshot", () => {
    it("gives zero weight to AGRI transferred and self-delegated after the proposal's snapshot", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { token, governor, accounts } = local;
      const [proposer, , seller] = accounts.voters;
      const [attacker] = accounts.others;
      await token.connect(proposer).delegate(proposer);
      const { proposalId } = await proposeFee(local, proposer, 300, "Raise the fee to 3%");
      await openVote(local, proposalId);
      const snapshot = await governor.proposalSnapshot(proposalId);

      await token.connect(seller).transfer(attacker, LOCAL_VOTER_AGRI);
      await token.connect(attacker).delegate(attacker);
      expect(await token.getVotes(attacker)).to.equal(LOCAL_VOTER_AGRI);
      expect(await token.getPastVotes(attacker, snapshot)).to.equal(0n);

      await expect(governor.connect(attacker).castVote(proposalId, Support.Against))
        .to.emit(governor, "VoteCast")
        .withArgs(attacker.address, proposalId, Support.Against, 0n, "");
      const [against, inFavour, abstain] = await governor.proposalVotes(proposalId);
      expect([against, inFavour, abstain]).to.deep.equal([0n, 0n, 0n]);
    });

    it("cannot break a tied vote with AGRI bought after the snapshot", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { token, governor, accounts } = local;
      const [proposer, opponent, seller] = accounts.voters;
      const [attacker] = accounts.others;
      await token.connect(proposer).delegate(proposer);
      await token.connect(opponent).delegate(opponent);
      const { proposalId } = await proposeFee(local, proposer, 300, "Raise the fee to 3%, contested");
      await openVote(local, proposalId);

      await governor.connect(proposer).castVote(proposalId, Support.For);
      await governor.connect(opponent).castVote(proposalId, Support.Against);
      await token.connect(seller).transfer(attacker, LOCAL_VOTER_AGRI);
      await token.connect(attacker).delegate(attacker);
      await expect(governor.connect(attacker).castVote(proposalId, Support.For))
        .to.emit(governor, "VoteCast")
        .withArgs(attacker.address, proposalId, Support.For, 0n, "");

      await networkHelpers.time.increase(SETTINGS.votingPeriod + SETTINGS.lateQuorumExtension + 1);
      const [against, inFavour, abstain] = await governor.proposalVotes(proposalId);
      expect(inFavour).to.equal(against);
      // Quorum was met, so the tie alone decides the outcome.
      expect(abstain + inFavour).to.be.at.least(await governor.quorum(await governor.proposalSnapshot(proposalId)));
      expect(await governor.state(proposalId)).to.equal(BigInt(ProposalState.Defeated));
    });

    it("cannot count the same AGRI twice by voting and then passing it to another voter", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { token, governor, accounts } = local;
      const [proposer, doubleVoter] = accounts.voters;
      const [accomplice] = accounts.others;
      await token.connect(proposer).delegate(proposer);
      await token.connect(doubleVoter).delegate(doubleVoter);
      const { proposalId } = await proposeFee(local, proposer, 300, "Raise the fee to 3%, again");
      await openVote(local, proposalId);

      await expect(governor.connect(doubleVoter).castVote(proposalId, Support.For))
        .to.emit(governor, "VoteCast")
        .withArgs(doubleVoter.address, proposalId, Support.For, LOCAL_VOTER_AGRI, "");
      await token.connect(doubleVoter).transfer(accomplice, LOCAL_VOTER_AGRI);
      await token.connect(accomplice).delegate(accomplice);
      await expect(governor.connect(accomplice).castVote(proposalId, Support.For))
        .to.emit(governor, "VoteCast")
        .withArgs(accomplice.address, proposalId, Support.For, 0n, "");
      await expect(governor.connect(doubleVoter).castVote(proposalId, Support.For))
        .to.be.revertedWithCustomError(governor, "GovernorAlreadyCastVote")
        .withArgs(doubleVoter.address);

      const [, inFavour] = await governor.proposalVotes(proposalId);
      expect(inFavour).to.equal(LOCAL_VOTER_AGRI);
    });
  });

  describe("the timelock", () => {
    /** A passed proposal to set the fee to 3%, queued on the timelock, with the timelock's id for it. */
    async function queuedProposal() {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { token, governor, timelock, accounts } = local;
      const [proposer] = accounts.voters;
      await token.connect(proposer).delegate(proposer);
      const proposal = await proposeFee(local, proposer, 300, "Raise the fee to 3%, for real");
      await openVote(local, proposal.proposalId);
      await governor.connect(proposer).castVote(proposal.proposalId, Support.For);
      await networkHelpers.time.increase(SETTINGS.votingPeriod + SETTINGS.lateQuorumExtension + 1);
      const { targets, values, calldatas, descriptionHash } = proposal;
      await governor.queue(targets, values, calldatas, descriptionHash);
      expect(await governor.state(proposal.proposalId)).to.equal(BigInt(ProposalState.Queued));

      // GovernorTimelockControl salts each operation with the governor's address, left-aligned, XOR the description hash.
      const salt = ethers.toBeHex((BigInt(await governor.getAddress()) << 96n) ^ BigInt(descriptionHash), 32);
      const operationId = await timelock.hashOperationBatch(targets, values, calldatas, ethers.ZeroHash, salt);
      expect(await timelock.isOperationPending(operationId)).to.equal(true);
      return { ...local, ...proposal, salt, operationId };
    }

    it("executes a passed proposal only once the timelock delay has run, through the governor or directly", async () => {
      const {
        escrow,
        governor,
        timelock,
        accounts,
        proposalId,
        targets,
        values,
        calldatas,
        descriptionHash,
        salt,
        operationId,
      } = await queuedProposal();
      const [stranger] = accounts.others;
      const readyBit = ethers.toBeHex(1n << BigInt(OperationState.Ready), 32);

      await expect(governor.connect(stranger).execute(targets, values, calldatas, descriptionHash))
        .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
        .withArgs(operationId, readyBit);
      await expect(timelock.connect(stranger).executeBatch(targets, values, calldatas, ethers.ZeroHash, salt))
        .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
        .withArgs(operationId, readyBit);
      expect((await escrow.currentTerms()).feeBps).to.equal(250n);

      await networkHelpers.time.increase(SETTINGS.timelockDelay);
      await governor.connect(stranger).execute(targets, values, calldatas, descriptionHash);
      expect(await governor.state(proposalId)).to.equal(BigInt(ProposalState.Executed));
      expect((await escrow.currentTerms()).feeBps).to.equal(300n);
    });

    it("lets nobody but the governor schedule or cancel operations, or change the delay", async () => {
      const local = await networkHelpers.loadFixture(localDeployment);
      const { escrow, timelock, accounts } = local;
      const proposerRole = await timelock.PROPOSER_ROLE();
      const cancellerRole = await timelock.CANCELLER_ROLE();
      const target = await escrow.getAddress();
      const data = escrow.interface.encodeFunctionData("setFee", [0]);
      const salt = ethers.id("bypass the vote");
      const callers = [
        accounts.deployer,
        accounts.arbiter,
        accounts.voters[0],
        accounts.others[0],
        await impersonate(escrow),
      ];

      for (const caller of callers) {
        const asCaller = timelock.connect(caller);
        await expect(asCaller.schedule(target, 0n, data, ethers.ZeroHash, salt, SETTINGS.timelockDelay))
          .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, proposerRole);
        await expect(asCaller.scheduleBatch([target], [0n], [data], ethers.ZeroHash, salt, SETTINGS.timelockDelay))
          .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, proposerRole);
        await expect(asCaller.cancel(ethers.id("any operation")))
          .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, cancellerRole);
        await expect(asCaller.updateDelay(0n))
          .to.be.revertedWithCustomError(timelock, "TimelockUnauthorizedCaller")
          .withArgs(caller.address);
      }
      expect(await timelock.getMinDelay()).to.equal(BigInt(SETTINGS.timelockDelay));
    });

    it("lets nobody but the timelock change the governor's settings or relay calls through it", async () => {
      const { escrow, governor, accounts } = await networkHelpers.loadFixture(localDeployment);
      const [voter] = accounts.voters;
      const relayed = escrow.interface.encodeFunctionData("setFee", [0]);

      for (const caller of [accounts.deployer, voter]) {
        await expect(governor.connect(caller).setVotingDelay(0))
          .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
          .withArgs(caller.address);
        await expect(governor.connect(caller).updateQuorumNumerator(0))
          .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
          .withArgs(caller.address);
        await expect(governor.connect(caller).relay(escrow, 0n, relayed))
          .to.be.revertedWithCustomError(governor, "GovernorOnlyExecutor")
          .withArgs(caller.address);
      }
    });
  });

  describe("the deployer after deployment", () => {
    it("holds no role on the timelock, which only the governor and anyone-may-execute do", async () => {
      const { timelock, governor, accounts } = await networkHelpers.loadFixture(localDeployment);
      const roles = {
        admin: DEFAULT_ADMIN_ROLE,
        proposer: await timelock.PROPOSER_ROLE(),
        canceller: await timelock.CANCELLER_ROLE(),
        executor: await timelock.EXECUTOR_ROLE(),
      };
      for (const role of Object.values(roles)) {
        expect(await timelock.hasRole(role, accounts.deployer), role).to.equal(false);
      }

      const holders = new Map<string, Set<string>>(Object.values(roles).map((role) => [role, new Set<string>()]));
      for (const event of await timelock.queryFilter(timelock.filters.RoleGranted())) {
        holders.get(event.args.role)?.add(event.args.account);
      }
      for (const event of await timelock.queryFilter(timelock.filters.RoleRevoked())) {
        holders.get(event.args.role)?.delete(event.args.account);
      }
      const governorAddress = await governor.getAddress();
      expect([...(holders.get(roles.admin) ?? [])]).to.deep.equal([await timelock.getAddress()]);
      expect([...(holders.get(roles.proposer) ?? [])]).to.deep.equal([governorAddress]);
      expect([...(holders.get(roles.canceller) ?? [])]).to.deep.equal([governorAddress]);
      expect([...(holders.get(roles.executor) ?? [])]).to.deep.equal([ethers.ZeroAddress]);
    });

    it("cannot grant itself any role on the timelock", async () => {
      const { timelock, accounts } = await networkHelpers.loadFixture(localDeployment);
      const { deployer } = accounts;
      const roles = [
        DEFAULT_ADMIN_ROLE,
        await timelock.PROPOSER_ROLE(),
        await timelock.CANCELLER_ROLE(),
        await timelock.EXECUTOR_ROLE(),
      ];

      for (const role of roles) {
        await expect(timelock.connect(deployer).grantRole(role, deployer), role)
          .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount")
          .withArgs(deployer.address, DEFAULT_ADMIN_ROLE);
        expect(await timelock.hasRole(role, deployer)).to.equal(false);
      }
    });
  });
});
