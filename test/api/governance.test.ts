import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { Wallet, ethers, parseEther, parseUnits, toBeHex } from "ethers";
import type { HDNodeWallet } from "ethers";

import { announcementOf } from "../../indexer/src/announce.js";
import type { SyncDeps, SyncStep } from "../../indexer/src/sync.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { installIndexerSchema } from "../support/cart-fixtures.js";
import {
  VoteType,
  delegateToSelf,
  passProposal,
  proposalArgs,
  propose,
  queueProposal,
  waitForEta,
} from "../support/governance-actions.js";
import type { Proposal } from "../support/governance-actions.js";
import { inProcessSync } from "../support/indexer-setup.js";
import { deployLocal } from "../support/local-deployment.js";
import { startLocalNode } from "../support/local-node.js";
import { syncToHead } from "../support/sync-harness.js";

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type LocalNode = Awaited<ReturnType<typeof startLocalNode>>;

interface ProposalBody {
  id: string;
  state: string;
  title: string;
  voteStart: string;
  voteEnd: string;
  votes: { for: string; against: string; abstain: string };
  quorum: string;
  quorumProgressBps: number;
  eta: string | null;
  executable: boolean;
  description: string;
  actions: {
    contract: string | null;
    functionName: string | null;
    args: Record<string, unknown> | null;
    summary: string;
  }[];
  timeline: { kind: string; at: string; txHash: string | null }[];
  votesCast: number;
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const AGRI = 10n ** 18n;

describe("API governance on the local chain", function () {
  this.timeout(180_000);

  let node: LocalNode;
  let deployment: Deployment;
  let api: ApiTestApp;
  let sync: SyncDeps;
  let voters: HardhatEthersSigner[];
  let relayer: HDNodeWallet;
  let governorAddress: string;
  let lastSteps: SyncStep[] = [];

  before(async function () {
    node = await startLocalNode();
    deployment = await deployLocal(node.connection, { deploymentId: node.deploymentId });
    governorAddress = (await deployment.governor.getAddress()).toLowerCase();
    voters = deployment.accounts.voters;
    await delegateToSelf(deployment.token, voters);
    // A relayer of its own with some ETH, so its balance and nonce say exactly what relaying spent.
    relayer = Wallet.createRandom();
    await (await deployment.accounts.deployer.sendTransaction({ to: relayer.address, value: parseEther("10") })).wait();
    api = await startApiApp({
      env: {
        CHAIN_RPC_URL: node.url,
        ESCROW_ADDRESS: (await deployment.escrow.getAddress()).toLowerCase(),
        ESCROW_TOKEN_ADDRESS: (await deployment.usdc.getAddress()).toLowerCase(),
        GOVERNOR_ADDRESS: governorAddress,
        RELAYER_PRIVATE_KEY: relayer.privateKey,
      },
    });
    await installIndexerSchema(api.database.pool);
    sync = await inProcessSync(api.database.pool, node.url, deployment, { confirmations: 0 });
    await index();
  });

  after(async function () {
    await api?.close();
    await node?.stop();
  });

  async function index() {
    lastSteps = await syncToHead(sync);
  }

  async function getJson<T>(path: string, status = 200): Promise<T> {
    const response = await api.request(path);
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    return body;
  }

  async function proposalBody(id: bigint): Promise<ProposalBody> {
    return getJson<ProposalBody>(`/api/governance/proposals/${id}`);
  }

  /** Mines one block whose timestamp is exactly `timestamp`. */
  async function mineAt(timestamp: bigint) {
    await node.connection.networkHelpers.time.increaseTo(timestamp);
  }

  async function signBallot(
    signer: Pick<HardhatEthersSigner, "address" | "signTypedData">,
    ballot: { proposalId: bigint; support: number; nonce: bigint; reason?: string },
  ): Promise<string> {
    const domain = { name: "AgriGovernor", version: "1", chainId: 31337, verifyingContract: governorAddress };
    const message = {
      proposalId: ballot.proposalId,
      support: ballot.support,
      voter: signer.address,
      nonce: ballot.nonce,
    };
    if (ballot.reason === undefined) {
      return signer.signTypedData(
        domain,
        {
          Ballot: [
            { name: "proposalId", type: "uint256" },
            { name: "support", type: "uint8" },
            { name: "voter", type: "address" },
            { name: "nonce", type: "uint256" },
          ],
        },
        message,
      );
    }
    return signer.signTypedData(
      domain,
      {
        ExtendedBallot: [
          { name: "proposalId", type: "uint256" },
          { name: "support", type: "uint8" },
          { name: "voter", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "reason", type: "string" },
          { name: "params", type: "bytes" },
        ],
      },
      { ...message, reason: ballot.reason, params: "0x" },
    );
  }

  function relay(body: Record<string, unknown>, headers: Record<string, string> = {}, app = api) {
    return app.request("/api/governance/votes/relay", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  async function relayerSpend(address = relayer.address) {
    const provider = node.connection.ethers.provider;
    return {
      balance: await provider.getBalance(address),
      nonce: await provider.getTransactionCount(address),
    };
  }

  async function expectRefused(response: Response, status: number, code: string): Promise<ErrorBody> {
    const body = (await response.json()) as ErrorBody;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    return body;
  }

  /** A ballot for `proposalId` signed by `signer` with its current nonce, as the relay route takes it. */
  async function ballotOf(
    signer: Pick<HardhatEthersSigner, "address" | "signTypedData">,
    proposalId: bigint,
    support: number,
    reason?: string,
  ) {
    const nonce = await deployment.governor.nonces(signer.address);
    return {
      proposalId: proposalId.toString(),
      support,
      voter: signer.address,
      signature: await signBallot(signer, { proposalId, support, nonce, reason }),
      ...(reason === undefined ? {} : { reason }),
    };
  }

  /** A proposal whose vote is open. */
  async function openProposal(description: string): Promise<bigint> {
    const id = await propose(deployment.governor, voters[2], feeProposal(description));
    await mineAt((await deployment.governor.proposalSnapshot(id)) + 1n);
    return id;
  }

  function feeProposal(description: string): Proposal {
    return {
      targets: [deployment.escrow.target as string],
      values: [0n],
      calldatas: [deployment.escrow.interface.encodeFunctionData("setFee", [300])],
      description,
    };
  }

  it("reports the governor's settings and the platform parameters in force", async function () {
    const body = await getJson<{
      governor: Record<string, string>;
      platform: {
        terms: { feeBps: number; shipWindow: string; confirmWindow: string; arbitrationTimeout: string };
        escrow: string | null;
        paymentTokens: string[];
        paused: boolean;
        arbiters: string[];
        guardians: string[];
      };
    }>("/api/governance/parameters");
    expect(body.governor).to.include({
      address: governorAddress,
      token: (await deployment.token.getAddress()).toLowerCase(),
      timelock: (await deployment.timelock.getAddress()).toLowerCase(),
      votingDelay: "1",
      votingPeriod: "300",
      proposalThreshold: (10_000n * AGRI).toString(),
      quorumNumerator: "4",
      quorumDenominator: "100",
      quorum: (4_000_000n * AGRI).toString(),
      lateQuorumVoteExtension: "60",
      timelockDelay: "60",
    });
    expect(body.platform.terms).to.include({
      feeBps: 250,
      shipWindow: "3600",
      confirmWindow: "3600",
      arbitrationTimeout: "86400",
    });
    expect(body.platform.escrow).to.equal((await deployment.escrow.getAddress()).toLowerCase());
    expect(body.platform.paymentTokens).to.include((await deployment.usdc.getAddress()).toLowerCase());
    expect(body.platform.paused).to.equal(false);
    expect(body.platform.arbiters).to.deep.equal([deployment.accounts.arbiter.address.toLowerCase()]);
    expect(body.platform.guardians).to.deep.equal([deployment.accounts.deployer.address.toLowerCase()]);
    const document = await getJson<{ paths: Record<string, unknown> }>("/api/openapi.json");
    expect(document.paths).to.include.keys(
      "/api/governance/proposals",
      "/api/governance/proposals/{id}",
      "/api/governance/proposals/{id}/votes",
      "/api/governance/delegates",
      "/api/governance/accounts/{address}",
      "/api/governance/parameters",
      "/api/governance/votes/relay",
    );
  });

  it("decodes every action of the proposal builder with its human summary, and shows unknown calls raw", async function () {
    const { escrow, token, usdc, accounts } = deployment;
    const newcomer = accounts.others[0].address;
    const farmer = accounts.farmers[0].address;
    const arbiterRole = await escrow.ARBITER_ROLE();
    const guardianRole = await escrow.GUARDIAN_ROLE();
    const stranger = Wallet.createRandom().address;
    const actions: [string, bigint, string][] = [
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("setFee", [300])],
      [
        escrow.target as string,
        0n,
        escrow.interface.encodeFunctionData("setWindows", [2 * 86_400, 3 * 86_400, 36 * 3_600]),
      ],
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("setPaymentToken", [usdc.target, false])],
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("setPaymentToken", [stranger, true])],
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("grantRole", [arbiterRole, newcomer])],
      [
        escrow.target as string,
        0n,
        escrow.interface.encodeFunctionData("revokeRole", [arbiterRole, accounts.arbiter.address]),
      ],
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("grantRole", [guardianRole, newcomer])],
      [token.target as string, 0n, token.interface.encodeFunctionData("transfer", [farmer, 1_500n * AGRI])],
      [usdc.target as string, 0n, usdc.interface.encodeFunctionData("transfer", [farmer, parseUnits("250.5", 6)])],
      [farmer, parseEther("1.5"), "0x"],
      [stranger, 0n, "0xdeadbeef0001"],
      // Made without the builder: the decoder warns that these would pass the vote and revert.
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("setFee", [1_001])],
      [escrow.target as string, 0n, escrow.interface.encodeFunctionData("setWindows", [1_800, 3_600, 86_400])],
    ];
    const proposal: Proposal = {
      targets: actions.map(([target]) => target),
      values: actions.map(([, value]) => value),
      calldatas: actions.map(([, , data]) => data),
      description: "# Every builder action\n\nA proposal that exercises the decoder.",
    };
    const id = await propose(deployment.governor, voters[0], proposal);
    await index();
    const body = await proposalBody(id);
    const lower = (address: string) => address.toLowerCase();
    expect(body.title).to.equal("Every builder action");
    expect(body.description).to.equal(proposal.description);
    expect(body.actions.map((action) => action.summary)).to.deep.equal([
      "Set platform fee to 3.00%",
      "Set ship window to 2 days, confirm window to 3 days and arbitration timeout to 36 hours",
      `Stop accepting USDC (${lower(usdc.target as string)}) as a payment token`,
      `Accept ${lower(stranger)} as a payment token`,
      `Appoint ${lower(newcomer)} as arbiter`,
      `Remove ${lower(accounts.arbiter.address)} as arbiter`,
      `Appoint ${lower(newcomer)} as guardian`,
      `Transfer 1500 AGRI from the treasury to ${lower(farmer)}`,
      `Transfer 250.5 USDC from the treasury to ${lower(farmer)}`,
      `Transfer 1.5 ETH from the treasury to ${lower(farmer)}`,
      `Call ${lower(stranger)} with data 0xdeadbeef…`,
      "Set platform fee to 10.01% (above the escrow's cap of 10.00%: it will revert)",
      "Set ship window to 30 minutes, confirm window to 1 hour and arbitration timeout to 1 day (outside the " +
        "escrow's bounds of 1 hour to 90 days for windows and 1 day to 180 days for arbitration: it will revert)",
    ]);
    expect(body.actions[0]).to.include({ contract: "MarketplaceEscrow", functionName: "setFee" });
    expect(body.actions[0].args).to.deep.equal({ feeBps: 300 });
    expect(body.actions[7]).to.include({ contract: "AgriToken", functionName: "transfer" });
    expect(body.actions[7].args).to.deep.equal({ to: lower(farmer), value: (1_500n * AGRI).toString() });
    expect(body.actions[10]).to.include({ contract: null, functionName: null, args: null });
  });

  it("computes the state exactly at vote start, vote end and the timelock eta, with a timeline of tx hashes", async function () {
    const { governor } = deployment;
    const proposal = feeProposal("# Set the fee to 3%\n\nBoundaries.");
    const id = await propose(governor, voters[0], proposal);
    await index();
    const voteStart = await governor.proposalSnapshot(id);
    expect((await proposalBody(id)).state).to.equal("pending");

    await mineAt(voteStart);
    expect((await proposalBody(id)).state, "at vote start").to.equal("pending");
    await mineAt(voteStart + 1n);
    expect((await proposalBody(id)).state, "just after vote start").to.equal("active");

    for (const voter of voters.slice(0, 2)) {
      await (await governor.connect(voter).castVote(id, VoteType.For)).wait();
    }
    await (await governor.connect(voters[2]).castVoteWithReason(id, VoteType.Against, "too expensive")).wait();
    await index();
    const deadline = await governor.proposalDeadline(id);
    await mineAt(deadline);
    const atEnd = await proposalBody(id);
    expect(atEnd.state, "at vote end").to.equal("active");
    expect(atEnd.votes).to.deep.equal({
      for: (20_000_000n * AGRI).toString(),
      against: (10_000_000n * AGRI).toString(),
      abstain: "0",
    });
    expect(atEnd.quorum).to.equal((4_000_000n * AGRI).toString());
    expect(atEnd.quorumProgressBps).to.equal(10_000);
    expect(atEnd.voteEnd).to.equal(deadline.toString());
    await mineAt(deadline + 1n);
    expect((await proposalBody(id)).state, "just after vote end").to.equal("succeeded");
    expect(await governor.state(id)).to.equal(4n);

    const queued = await (await governor.queue(...proposalArgs(proposal))).wait();
    await index();
    const eta = await governor.proposalEta(id);
    const afterQueue = await proposalBody(id);
    expect(afterQueue).to.include({ state: "queued", eta: eta.toString(), executable: false });
    await mineAt(eta - 1n);
    expect((await proposalBody(id)).executable, "a second before the eta").to.equal(false);
    await mineAt(eta);
    const atEta = await proposalBody(id);
    expect(atEta).to.include({ state: "queued", executable: true });

    const executed = await (await governor.execute(...proposalArgs(proposal))).wait();
    await index();
    const done = await proposalBody(id);
    expect(done.state).to.equal("executed");
    expect(done.timeline.map((entry) => entry.kind)).to.deep.equal([
      "created",
      "voting_started",
      "voting_ended",
      "queued",
      "executed",
    ]);
    expect(done.timeline[1]).to.deep.equal({ kind: "voting_started", at: voteStart.toString(), txHash: null });
    expect(done.timeline[3].txHash).to.equal(queued!.hash);
    expect(done.timeline[4].txHash).to.equal(executed!.hash);

    const votes = await getJson<{ items: { voter: string; support: string; weight: string; reason: string }[] }>(
      `/api/governance/proposals/${id}/votes?sort=time`,
    );
    expect(votes.items.map((vote) => vote.voter)).to.deep.equal(
      [voters[2], voters[1], voters[0]].map((voter) => voter.address.toLowerCase()),
    );
    expect(votes.items[0]).to.include({ support: "against", reason: "too expensive" });
  });

  it("lists proposals by state and proposer, a page at a time", async function () {
    const executed = await getJson<{ items: { state: string; title: string }[] }>(
      "/api/governance/proposals?state=executed",
    );
    expect(executed.items.map((item) => item.title)).to.deep.equal(["Set the fee to 3%"]);
    const first = await getJson<{ items: { id: string; proposer: string }[]; nextCursor: string | null }>(
      `/api/governance/proposals?limit=1&proposer=${voters[0].address}`,
    );
    expect(first.items).to.have.length(1);
    expect(first.items[0].proposer).to.equal(voters[0].address.toLowerCase());
    expect(first.nextCursor).to.be.a("string");
    const second = await getJson<{ items: { id: string; title: string; state: string }[]; nextCursor: string | null }>(
      `/api/governance/proposals?limit=1&proposer=${voters[0].address}&cursor=${first.nextCursor!}`,
    );
    expect(second.items.map((item) => item.title)).to.deep.equal(["Every builder action"]);
    // Nobody voted on it, and its vote is over.
    expect(second.items[0]).to.include({ state: "defeated" });
    expect(second.nextCursor).to.equal(null);
    const none = await getJson<{ items: unknown[] }>(`/api/governance/proposals?proposer=${voters[1].address}`);
    expect(none.items).to.deep.equal([]);
    await expectRefused(await api.request("/api/governance/proposals?state=sleeping"), 400, "validation_failed");
    await expectRefused(await api.request("/api/governance/proposals/424242"), 404, "not_found");
  });

  it("relays a signed vote, counts it, and pushes the change as a chain announcement", async function () {
    const { governor } = deployment;
    const id = await propose(governor, voters[1], feeProposal("# Gasless\n\nRelayed votes."));
    await mineAt((await governor.proposalSnapshot(id)) + 1n);

    const account = await getJson<{ nonce: string; votingPower: string; delegate: string }>(
      `/api/governance/accounts/${voters[0].address}`,
    );
    expect(account).to.include({
      nonce: "0",
      votingPower: (10_000_000n * AGRI).toString(),
      delegate: voters[0].address.toLowerCase(),
    });
    const plain = await relay({
      proposalId: id.toString(),
      support: VoteType.For,
      voter: voters[0].address,
      signature: await signBallot(voters[0], { proposalId: id, support: VoteType.For, nonce: 0n }),
      nonce: "0",
    });
    const plainBody = (await plain.json()) as { txHash: string; relayer: string };
    expect(plain.status, JSON.stringify(plainBody)).to.equal(202);
    expect(plainBody.relayer).to.equal(relayer.address.toLowerCase());
    const receipt = await node.connection.ethers.provider.waitForTransaction(plainBody.txHash);
    expect(receipt!.status).to.equal(1);
    expect(receipt!.from.toLowerCase()).to.equal(relayer.address.toLowerCase());

    const withReason = await relay({
      proposalId: id.toString(),
      support: VoteType.Abstain,
      reason: "fine by me",
      voter: voters[1].address,
      signature: await signBallot(voters[1], {
        proposalId: id,
        support: VoteType.Abstain,
        nonce: 0n,
        reason: "fine by me",
      }),
    });
    expect(withReason.status).to.equal(202);
    await node.connection.ethers.provider.waitForTransaction(((await withReason.json()) as { txHash: string }).txHash);

    await index();
    // What the indexer announces is what GET /api/events forwards as a `chain` event.
    const announced = lastSteps.map((step) => announcementOf(31337, step));
    const changed = announced.some(
      (message) => message?.type === "block" && message.proposalIds.includes(id.toString()),
    );
    expect(changed).to.equal(true);
    const body = await proposalBody(id);
    expect(body.votes).to.deep.equal({
      for: (10_000_000n * AGRI).toString(),
      against: "0",
      abstain: (10_000_000n * AGRI).toString(),
    });
    const byWeight = await getJson<{ items: { voter: string; reason: string; support: string }[]; nextCursor: string }>(
      `/api/governance/proposals/${id}/votes?limit=1`,
    );
    expect(byWeight.items).to.have.length(1);
    const rest = await getJson<{ items: { voter: string; reason: string; support: string }[]; nextCursor: null }>(
      `/api/governance/proposals/${id}/votes?limit=1&cursor=${byWeight.nextCursor}`,
    );
    const all = [...byWeight.items, ...rest.items];
    expect(all.map((vote) => vote.voter).sort()).to.deep.equal(
      [voters[0], voters[1]].map((voter) => voter.address.toLowerCase()).sort(),
    );
    expect(all.find((vote) => vote.voter === voters[1].address.toLowerCase())).to.include({
      support: "abstain",
      reason: "fine by me",
    });
    expect(rest.nextCursor).to.equal(null);
    expect((await getJson<{ nonce: string }>(`/api/governance/accounts/${voters[0].address}`)).nonce).to.equal("1");
  });

  it("refuses a replayed signature, a wrong nonce, an unknown proposal and a vote after the end without spending gas", async function () {
    const { governor } = deployment;
    const id = await propose(governor, voters[2], feeProposal("# Abuse\n\nThe relayer must not pay for this."));
    const before = await relayerSpend();
    const early = await signBallot(voters[2], { proposalId: id, support: VoteType.For, nonce: 0n });
    await expectRefused(
      await relay({ proposalId: id.toString(), support: 1, voter: voters[2].address, signature: early }),
      409,
      "voting_closed",
    );
    await mineAt((await governor.proposalSnapshot(id)) + 1n);

    const signature = await signBallot(voters[2], { proposalId: id, support: VoteType.For, nonce: 0n });
    const ballot = { proposalId: id.toString(), support: 1, voter: voters[2].address, signature };
    const accepted = await relay(ballot);
    expect(accepted.status).to.equal(202);
    await node.connection.ethers.provider.waitForTransaction(((await accepted.json()) as { txHash: string }).txHash);
    const afterVote = await relayerSpend();
    expect(afterVote.nonce).to.equal(before.nonce + 1);

    await expectRefused(await relay(ballot), 409, "signature_replayed");
    const again = await signBallot(voters[2], { proposalId: id, support: VoteType.Against, nonce: 1n });
    await expectRefused(
      await relay({ proposalId: id.toString(), support: 0, voter: voters[2].address, signature: again, nonce: "1" }),
      409,
      "already_voted",
    );

    const outsider = deployment.accounts.others[1];
    const wrongNonce = await signBallot(outsider, { proposalId: id, support: VoteType.Against, nonce: 5n });
    await expectRefused(
      await relay({
        proposalId: id.toString(),
        support: 0,
        voter: outsider.address,
        signature: wrongNonce,
        nonce: "5",
      }),
      409,
      "nonce_mismatch",
    );
    await expectRefused(
      await relay({ proposalId: id.toString(), support: 0, voter: outsider.address, signature: wrongNonce }),
      422,
      "invalid_signature",
    );
    const forged = await signBallot(outsider, { proposalId: id, support: VoteType.Against, nonce: 0n });
    await expectRefused(
      await relay({ proposalId: id.toString(), support: 0, voter: voters[0].address, signature: forged }),
      422,
      "invalid_signature",
    );

    const unknown = 123_456_789n;
    await expectRefused(
      await relay({
        proposalId: unknown.toString(),
        support: 1,
        voter: outsider.address,
        signature: await signBallot(outsider, { proposalId: unknown, support: 1, nonce: 0n }),
      }),
      404,
      "unknown_proposal",
    );

    await mineAt((await governor.proposalDeadline(id)) + 1n);
    await expectRefused(
      await relay({
        proposalId: id.toString(),
        support: 1,
        voter: outsider.address,
        signature: await signBallot(outsider, { proposalId: id, support: 1, nonce: 0n }),
      }),
      409,
      "voting_closed",
    );
    expect(await relayerSpend()).to.deep.equal(afterVote);
  });

  it("limits relaying per voter as well as per address, and answers 503 without a relayer key", async function () {
    const limited = await startApiApp({
      peer: api,
      rateLimitPolicies: { auth: { limit: 2, windowMs: 60_000 } },
      env: {
        CHAIN_RPC_URL: node.url,
        GOVERNOR_ADDRESS: governorAddress,
        RELAYER_PRIVATE_KEY: relayer.privateKey,
        TRUST_PROXY: "true",
      },
    });
    const keyless = await startApiApp({
      peer: api,
      env: { CHAIN_RPC_URL: node.url, GOVERNOR_ADDRESS: governorAddress },
    });
    try {
      const ballot = { proposalId: "1", support: 1, voter: voters[0].address, signature: `0x${"11".repeat(65)}` };
      // Each request comes from another address, so only the voter's own count can run out.
      for (const [index, status] of [404, 404, 429].entries()) {
        const response = await relay(ballot, { "X-Forwarded-For": `10.0.0.${index + 1}` }, limited);
        expect(response.status).to.equal(status);
      }
      await expectRefused(await relay(ballot, {}, keyless), 503, "relayer_unavailable");
      // Without a relayer there is no relayer balance to report (rather than a balance of 0).
      expect(await (await keyless.request("/metrics")).text()).to.not.contain("api_relayer_balance_wei");
    } finally {
      await limited.close();
      await keyless.close();
    }
  });

  it("ranks delegates by voting power with their delegators and participation", async function () {
    const outsider = deployment.accounts.others[2];
    await (await deployment.token.connect(deployment.accounts.farmers[0]).delegate(voters[0].address)).wait();
    await index();
    const body = await getJson<{
      items: {
        account: string;
        votingPower: string;
        delegators: number;
        votesCast: number;
        participationBps: number;
      }[];
    }>("/api/governance/delegates");
    expect(body.items.map((item) => item.account).sort()).to.deep.equal(
      voters.map((voter) => voter.address.toLowerCase()).sort(),
    );
    const first = body.items.find((item) => item.account === voters[0].address.toLowerCase())!;
    expect(first.delegators).to.equal(2);
    expect(first.votesCast).to.equal(2);
    // Four proposals have opened their vote; voter 0 voted on two of them.
    expect(first.participationBps).to.equal(5_000);
    const none = await getJson<{ delegate: string | null; votingPower: string }>(
      `/api/governance/accounts/${outsider.address}`,
    );
    expect(none).to.include({ delegate: null, votingPower: "0" });
  });

  it("shows a proposal its proposer canceled as canceled, with the cancellation in its timeline", async function () {
    const { governor } = deployment;
    const proposal = feeProposal("# Withdrawn\n\nCanceled before the vote.");
    const id = await propose(governor, voters[1], proposal);
    // A proposer may cancel only while the proposal is pending: up to and including its vote start (the next second).
    const { time } = node.connection.networkHelpers;
    await time.setNextBlockTimestamp((await time.latest()) + 1);
    const canceled = await (await governor.connect(voters[1]).cancel(...proposalArgs(proposal))).wait();
    await index();
    const body = await proposalBody(id);
    expect(body.state).to.equal("canceled");
    expect(body.timeline.map((entry) => entry.kind)).to.deep.equal(["created", "canceled"]);
    expect(body.timeline[1].txHash).to.equal(canceled!.hash);
    const listed = await getJson<{ items: { id: string }[] }>("/api/governance/proposals?state=canceled");
    expect(listed.items.map((item) => item.id)).to.deep.equal([id.toString()]);
  });

  it("reports a queued proposal executed straight on the timelock as executed, as the governor does", async function () {
    const { governor, timelock } = deployment;
    const { networkHelpers } = node.connection;
    const proposal = feeProposal("# Executed by the timelock\n\nNo ProposalExecuted event.");
    const id = await passProposal({ governor, networkHelpers, voters, proposal });
    await queueProposal(governor, proposal);
    await waitForEta(networkHelpers, governor, id);
    await index();
    expect(await proposalBody(id)).to.include({ state: "queued", executable: true });
    // GovernorTimelockControl salts each operation with the governor's address over the description hash.
    const salt = toBeHex((BigInt(governorAddress) << 96n) ^ BigInt(ethers.id(proposal.description)), 32);
    await (
      await timelock.executeBatch(proposal.targets, proposal.values, proposal.calldatas, ethers.ZeroHash, salt)
    ).wait();
    await index();
    expect(await governor.state(id)).to.equal(7n);
    const body = await proposalBody(id);
    expect(body).to.include({ state: "executed", executable: false });
  });

  it("answers 503 while the indexer's tables are missing or the chain does not answer", async function () {
    const unindexed = await startApiApp({ env: { CHAIN_RPC_URL: node.url, GOVERNOR_ADDRESS: governorAddress } });
    const offline = await startApiApp({
      peer: api,
      env: { CHAIN_RPC_URL: "http://127.0.0.1:9", GOVERNOR_ADDRESS: governorAddress },
    });
    try {
      await expectRefused(await unindexed.request("/api/governance/proposals"), 503, "service_unavailable");
      await expectRefused(await offline.request("/api/governance/parameters"), 503, "service_unavailable");
    } finally {
      await unindexed.close();
      await offline.close();
    }
  });

  it("refuses a ballot from an account without votes at the proposal's snapshot, sending nothing", async function () {
    const { token } = deployment;
    const id = await openProposal("# Weightless\n\nFresh keys must not cost the relayer gas.");
    const snapshot = await deployment.governor.proposalSnapshot(id);
    const before = await relayerSpend();
    const fresh = Wallet.createRandom();
    const refused = await expectRefused(await relay(await ballotOf(fresh, id, VoteType.For)), 422, "no_voting_power");
    expect(refused.error.details).to.deep.equal({ voter: fresh.address.toLowerCase(), snapshot: snapshot.toString() });
    expect(refused.error.message).to.contain(snapshot.toString());

    // Votes delegated after the snapshot do not count on this proposal, so they do not make a relayed vote count.
    const late = deployment.accounts.others[3];
    await (await token.connect(voters[1]).transfer(late.address, 1_000n * AGRI)).wait();
    await (await token.connect(late).delegate(late.address)).wait();
    expect(await token.getVotes(late.address)).to.equal(1_000n * AGRI);
    await expectRefused(await relay(await ballotOf(late, id, VoteType.Against)), 422, "no_voting_power");
    expect(await relayerSpend()).to.deep.equal(before);
    const metrics = await (await api.request("/metrics")).text();
    expect(metrics).to.match(/api_relayer_refusals_total\{reason="no_voting_power"\} 2/);
  });

  it("relays one vote per voter and proposal, refusing a second ballot while the first is still pending", async function () {
    const id = await openProposal("# Once\n\nOne relayed vote per voter.");
    const provider = node.connection.ethers.provider;
    const before = await relayerSpend();
    await provider.send("evm_setAutomine", [false]);
    try {
      const first = await relay(await ballotOf(voters[0], id, VoteType.For));
      expect(first.status).to.equal(202);
      const { txHash } = (await first.json()) as { txHash: string };
      // Another valid signature of the same voter (an ExtendedBallot with the same nonce) while the first is unmined.
      const second = await expectRefused(
        await relay(await ballotOf(voters[0], id, VoteType.Against, "changed my mind")),
        409,
        "already_relayed",
      );
      expect(second.error.details).to.include({ proposalId: id.toString(), txHash });
      expect((await relayerSpend()).nonce).to.equal(before.nonce);
      expect(Number(await provider.send("eth_getTransactionCount", [relayer.address, "pending"]))).to.equal(
        before.nonce + 1,
      );
    } finally {
      await provider.send("evm_setAutomine", [true]);
      await provider.send("evm_mine", []);
    }
    expect(await deployment.governor.hasVoted(id, voters[0].address)).to.equal(true);
    expect((await relayerSpend()).nonce).to.equal(before.nonce + 1);
  });

  it("answers 503 when the relayer cannot pay for the gas or the day's gas budget is spent, and reports both on /metrics", async function () {
    const id = await openProposal("# Budget\n\nThe relayer spends a bounded amount of gas.");
    const broke = Wallet.createRandom();
    const capped = await startApiApp({
      peer: api,
      // Room for one vote (about 100,000 gas) but not two.
      env: {
        CHAIN_RPC_URL: node.url,
        GOVERNOR_ADDRESS: governorAddress,
        RELAYER_PRIVATE_KEY: broke.privateKey,
        RELAYER_DAILY_GAS_BUDGET: "150000",
      },
    });
    try {
      const poor = await expectRefused(
        await relay(await ballotOf(voters[0], id, VoteType.For), {}, capped),
        503,
        "relayer_balance_low",
      );
      expect(poor.error.details).to.include({ relayer: broke.address.toLowerCase(), balance: "0" });
      expect(poor.error.message).to.contain(broke.address.toLowerCase());

      await node.connection.networkHelpers.setBalance(broke.address, parseEther("1"));
      const accepted = await relay(await ballotOf(voters[0], id, VoteType.For), {}, capped);
      expect(accepted.status).to.equal(202);
      const receipt = await node.connection.ethers.provider.waitForTransaction(
        ((await accepted.json()) as { txHash: string }).txHash,
      );
      const spent = await expectRefused(
        await relay(await ballotOf(voters[1], id, VoteType.For), {}, capped),
        503,
        "relayer_budget_exhausted",
      );
      const details = spent.error.details as { budget: number; spent: number; needed: number; resetsAt: string };
      expect(details.budget).to.equal(150_000);
      expect(details.spent + details.needed).to.be.greaterThan(150_000);
      expect(new Date(details.resetsAt).toISOString().slice(11)).to.equal("00:00:00.000Z");
      expect(await relayerSpend(broke.address)).to.include({ nonce: 1 });

      const metrics = await (await capped.request("/metrics")).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1]);
      expect(value("api_relayer_balance_wei")).to.equal(Number((await relayerSpend(broke.address)).balance));
      expect(value("api_relayer_gas_spent_today")).to.equal(details.spent);
      expect(value("api_relayer_gas_total")).to.equal(details.spent);
      expect(value("api_relayer_gas_budget_daily")).to.equal(150_000);
      expect(details.spent).to.be.at.least(Number(receipt!.gasUsed));
      expect(metrics).to.match(/api_relayer_refusals_total\{reason="relayer_balance_low"\} 1/);
      expect(metrics).to.match(/api_relayer_refusals_total\{reason="relayer_budget_exhausted"\} 1/);
    } finally {
      await capped.close();
    }
  });
});
