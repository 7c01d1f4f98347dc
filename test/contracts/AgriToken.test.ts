import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Signature } from "ethers";
import { network } from "hardhat";

import { LOCAL_VOTER_AGRI, localParameters } from "../../deploy/local.js";
import type { AgriToken } from "../../types/ethers-contracts/index.js";
import { deployLocal } from "../support/local-deployment.js";
import { signPermit } from "../support/permit.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const AGRI = 10n ** 18n;
const { chainId } = await ethers.provider.getNetwork();
const { Governance } = localParameters((await ethers.getSigners()).map((signer) => signer.address));
const TREASURY_SUPPLY = BigInt(Governance.treasurySupply);
const TOTAL_SUPPLY = Governance.allocationAmounts.reduce((sum, amount) => sum + BigInt(amount), TREASURY_SUPPLY);

const DELEGATION_TYPES = {
  Delegation: [
    { name: "delegatee", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint256" },
  ],
};

async function domainOf(token: AgriToken) {
  return { name: "AgriDAO", version: "1", chainId, verifyingContract: await token.getAddress() };
}

async function signDelegation(
  token: AgriToken,
  signer: HardhatEthersSigner,
  delegation: { delegatee: string; nonce: bigint; expiry: bigint },
) {
  return Signature.from(await signer.signTypedData(await domainOf(token), DELEGATION_TYPES, delegation));
}

describe("AgriToken", () => {
  const fixture = () => deployLocal(connection);

  describe("deployment", () => {
    it("mints the treasury's share to the timelock and each allocation to its recipient", async () => {
      const { token, timelock, accounts } = await networkHelpers.loadFixture(fixture);
      expect(await token.balanceOf(await timelock.getAddress())).to.equal(TREASURY_SUPPLY);
      for (const voter of accounts.voters) {
        expect(await token.balanceOf(voter.address)).to.equal(LOCAL_VOTER_AGRI);
      }
      expect(await token.totalSupply()).to.equal(TOTAL_SUPPLY);
    });

    it("rejects recipients and amounts of different lengths", async () => {
      const { accounts } = await networkHelpers.loadFixture(fixture);
      const factory = await ethers.getContractFactory("AgriToken");
      const [first, second] = accounts.voters;
      await expect(factory.deploy(accounts.deployer.address, AGRI, [first.address, second.address], [AGRI]))
        .to.be.revertedWithCustomError(factory, "AgriTokenAllocationMismatch")
        .withArgs(2, 1);
    });

    it("is named AgriDAO, symbol AGRI, with 18 decimals", async () => {
      const { token } = await networkHelpers.loadFixture(fixture);
      expect(await token.name()).to.equal("AgriDAO");
      expect(await token.symbol()).to.equal("AGRI");
      expect(await token.decimals()).to.equal(18n);
    });

    it("keeps time by block timestamp (ERC-6372)", async () => {
      const { token } = await networkHelpers.loadFixture(fixture);
      await networkHelpers.time.increase(1_000);
      expect(await token.clock()).to.equal(BigInt(await networkHelpers.time.latest()));
      expect(await token.CLOCK_MODE()).to.equal("mode=timestamp");
    });

    it("exposes no way to mint after deployment, so the supply stays fixed", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const functionNames: string[] = [];
      token.interface.forEachFunction((fn) => functionNames.push(fn.name));
      expect(functionNames.filter((name) => /mint/i.test(name))).to.deep.equal([]);

      // A conventional mint(address,uint256) call finds neither a function nor a fallback.
      const mint = new ethers.Interface(["function mint(address to, uint256 amount)"]);
      const data = mint.encodeFunctionData("mint", [accounts.deployer.address, AGRI]);
      await expect(
        accounts.deployer.sendTransaction({ to: await token.getAddress(), data }),
      ).to.be.revertedWithoutReason(ethers);
      expect(await token.totalSupply()).to.equal(TOTAL_SUPPLY);
    });
  });

  describe("voting power", () => {
    it("counts a balance as votes only once its holder delegates", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [voter] = accounts.voters;
      expect(await token.getVotes(voter.address)).to.equal(0n);
      expect(await token.delegates(voter.address)).to.equal(ethers.ZeroAddress);

      await expect(token.connect(voter).delegate(voter.address))
        .to.emit(token, "DelegateChanged")
        .withArgs(voter.address, ethers.ZeroAddress, voter.address)
        .and.to.emit(token, "DelegateVotesChanged")
        .withArgs(voter.address, 0n, LOCAL_VOTER_AGRI);
      expect(await token.delegates(voter.address)).to.equal(voter.address);
      expect(await token.getVotes(voter.address)).to.equal(LOCAL_VOTER_AGRI);
    });

    it("moves votes to another delegate without moving the tokens", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [voter, representative] = accounts.voters;
      await token.connect(voter).delegate(voter.address);
      await token.connect(voter).delegate(representative.address);
      expect(await token.getVotes(voter.address)).to.equal(0n);
      expect(await token.getVotes(representative.address)).to.equal(LOCAL_VOTER_AGRI);
      expect(await token.balanceOf(voter.address)).to.equal(LOCAL_VOTER_AGRI);
    });

    it("answers past votes by timestamp and refuses to look into the future", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [voter] = accounts.voters;
      const receipt = await (await token.connect(voter).delegate(voter.address)).wait();
      const delegatedAt = BigInt((await receipt!.getBlock()).timestamp);
      await networkHelpers.time.increase(10);

      expect(await token.getPastVotes(voter.address, delegatedAt - 1n)).to.equal(0n);
      expect(await token.getPastVotes(voter.address, delegatedAt)).to.equal(LOCAL_VOTER_AGRI);
      expect(await token.getPastTotalSupply(delegatedAt)).to.equal(TOTAL_SUPPLY);

      const now = await token.clock();
      await expect(token.getPastVotes(voter.address, now))
        .to.be.revertedWithCustomError(token, "ERC5805FutureLookup")
        .withArgs(now, now);
    });

    it("moves voting power between delegates when tokens are transferred", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [sender, receiver] = accounts.voters;
      await token.connect(sender).delegate(sender.address);
      await token.connect(receiver).delegate(receiver.address);
      const amount = 250_000n * AGRI;

      await expect(token.connect(sender).transfer(receiver.address, amount))
        .to.emit(token, "DelegateVotesChanged")
        .withArgs(sender.address, LOCAL_VOTER_AGRI, LOCAL_VOTER_AGRI - amount)
        .and.to.emit(token, "DelegateVotesChanged")
        .withArgs(receiver.address, LOCAL_VOTER_AGRI, LOCAL_VOTER_AGRI + amount);
      expect(await token.getVotes(sender.address)).to.equal(LOCAL_VOTER_AGRI - amount);
      expect(await token.getVotes(receiver.address)).to.equal(LOCAL_VOTER_AGRI + amount);
    });

    it("drops the votes of tokens sent to a holder who has not delegated", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [sender] = accounts.voters;
      const [newcomer] = accounts.others;
      await token.connect(sender).delegate(sender.address);
      await token.connect(sender).transfer(newcomer.address, 1_000n * AGRI);
      expect(await token.getVotes(sender.address)).to.equal(LOCAL_VOTER_AGRI - 1_000n * AGRI);
      expect(await token.getVotes(newcomer.address)).to.equal(0n);

      await token.connect(newcomer).delegate(newcomer.address);
      expect(await token.getVotes(newcomer.address)).to.equal(1_000n * AGRI);
    });
  });

  describe("delegateBySig", () => {
    it("delegates on behalf of the signer, submitted by anyone, and uses up the nonce", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [delegator, delegatee] = accounts.voters;
      const [relayer] = accounts.others;
      const expiry = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const nonce = await token.nonces(delegator.address);
      const { v, r, s } = await signDelegation(token, delegator, { delegatee: delegatee.address, nonce, expiry });

      await expect(token.connect(relayer).delegateBySig(delegatee.address, nonce, expiry, v, r, s))
        .to.emit(token, "DelegateChanged")
        .withArgs(delegator.address, ethers.ZeroAddress, delegatee.address);
      expect(await token.delegates(delegator.address)).to.equal(delegatee.address);
      expect(await token.getVotes(delegatee.address)).to.equal(LOCAL_VOTER_AGRI);
      expect(await token.nonces(delegator.address)).to.equal(nonce + 1n);

      await expect(token.connect(relayer).delegateBySig(delegatee.address, nonce, expiry, v, r, s))
        .to.be.revertedWithCustomError(token, "InvalidAccountNonce")
        .withArgs(delegator.address, nonce + 1n);
    });

    it("rejects a delegation signature past its expiry", async () => {
      const { token, accounts } = await networkHelpers.loadFixture(fixture);
      const [delegator, delegatee] = accounts.voters;
      const expiry = BigInt(await networkHelpers.time.latest());
      const nonce = await token.nonces(delegator.address);
      const { v, r, s } = await signDelegation(token, delegator, { delegatee: delegatee.address, nonce, expiry });

      await expect(token.delegateBySig(delegatee.address, nonce, expiry, v, r, s))
        .to.be.revertedWithCustomError(token, "VotesExpiredSignature")
        .withArgs(expiry);
    });
  });

  describe("permit (ERC-2612)", () => {
    it("sets an allowance from the owner's signature and increments the owner's nonce", async () => {
      const { token, escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [owner] = accounts.voters;
      const spender = await escrow.getAddress();
      const value = 5_000n * AGRI;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const nonce = await token.nonces(owner.address);
      const { v, r, s } = await signPermit(token, owner, { owner: owner.address, spender, value, nonce, deadline });

      await expect(token.permit(owner.address, spender, value, deadline, v, r, s))
        .to.emit(token, "Approval")
        .withArgs(owner.address, spender, value);
      expect(await token.allowance(owner.address, spender)).to.equal(value);
      expect(await token.nonces(owner.address)).to.equal(nonce + 1n);
    });

    it("rejects a permit past its deadline", async () => {
      const { token, escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [owner] = accounts.voters;
      const spender = await escrow.getAddress();
      const deadline = BigInt(await networkHelpers.time.latest());
      const nonce = await token.nonces(owner.address);
      const { v, r, s } = await signPermit(token, owner, {
        owner: owner.address,
        spender,
        value: AGRI,
        nonce,
        deadline,
      });

      await expect(token.permit(owner.address, spender, AGRI, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });

    it("rejects a permit signed by someone other than the owner", async () => {
      const { token, escrow, accounts } = await networkHelpers.loadFixture(fixture);
      const [owner, impostor] = accounts.voters;
      const spender = await escrow.getAddress();
      const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const nonce = await token.nonces(owner.address);
      const { v, r, s } = await signPermit(token, impostor, {
        owner: owner.address,
        spender,
        value: AGRI,
        nonce,
        deadline,
      });

      await expect(token.permit(owner.address, spender, AGRI, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(impostor.address, owner.address);
      expect(await token.allowance(owner.address, spender)).to.equal(0n);
    });
  });
});
