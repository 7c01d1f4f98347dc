import { expect } from "chai";
import { network } from "hardhat";
import type { PoolClient } from "pg";
import { zeroAddress } from "viem";

import { applyEvents } from "../../indexer/src/apply-events.js";
import type { ChainContext } from "../../indexer/src/chain-context.js";
import type { PositionedEvent } from "../../indexer/src/decode-log.js";
import { migrate } from "../../indexer/src/migrations.js";
import { READ_MODEL_TABLES, rebuild } from "../../indexer/src/rebuild.js";
import { marketplaceEscrowEnums } from "../../protocol/generated/contracts.js";
import { fetchDecodedEvents } from "../support/chain-events.js";
import { createTestDatabase } from "../support/database.js";
import type { TestDatabase } from "../support/database.js";
import { ProposalState } from "../support/governance-actions.js";
import { runIndexerScenario } from "../support/indexer-scenario.js";
import { deployLocal } from "../support/local-deployment.js";
import { indexerTargets } from "../support/indexer-setup.js";

const connection = await network.create();

type Deployment = Awaited<ReturnType<typeof deployLocal>>;
type Scenario = Awaited<ReturnType<typeof runIndexerScenario>>;
type Row = Record<string, unknown>;

describe("indexer read models", function () {
  let database: TestDatabase;
  let client: PoolClient;
  let deployment: Deployment;
  let scenario: Scenario;
  let events: PositionedEvent[];
  let context: ChainContext;

  before(async function () {
    database = await createTestDatabase();
    client = await database.pool.connect();
    await migrate(client);

    deployment = await deployLocal(connection);
    scenario = await runIndexerScenario(connection, deployment);
    const targets = await indexerTargets(deployment);
    const { addresses } = targets;
    events = await fetchDecodedEvents(connection, addresses);
    context = targets.context;

    await client.query("BEGIN");
    await applyEvents(client, events, context);
    await client.query("COMMIT");
  });

  after(async function () {
    client?.release();
    await database?.drop();
  });

  it("mirrors every order exactly as the escrow reports it", async function () {
    const { escrow } = deployment;
    const { rows } = await client.query<Row>("SELECT * FROM indexer.escrow_orders ORDER BY order_id");
    expect(rows.map((row) => BigInt(row.order_id as string))).to.deep.equal(scenario.orderIds);
    for (const row of rows) {
      const order = await escrow.getOrder(BigInt(row.order_id as string));
      const settled = order.settlementProposer !== zeroAddress;
      expect({
        buyer: row.buyer,
        seller: row.seller,
        token: row.token,
        amount: row.amount,
        state: row.state,
        deadline: row.deadline,
        shippedBeforeDispute: row.shipped_before_dispute,
        feeBps: row.fee_bps,
        shipWindow: row.ship_window,
        confirmWindow: row.confirm_window,
        arbitrationTimeout: row.arbitration_timeout,
        settlementProposer: row.settlement_proposer,
        settlementBuyerBps: row.settlement_buyer_bps,
      }).to.deep.equal(
        {
          buyer: order.buyer.toLowerCase(),
          seller: order.seller.toLowerCase(),
          token: order.token.toLowerCase(),
          amount: order.amount.toString(),
          state: marketplaceEscrowEnums.OrderState[Number(order.state)],
          deadline: order.deadline.toString(),
          shippedBeforeDispute: order.shippedBeforeDispute,
          feeBps: Number(order.terms.feeBps),
          shipWindow: order.terms.shipWindow.toString(),
          confirmWindow: order.terms.confirmWindow.toString(),
          arbitrationTimeout: order.terms.arbitrationTimeout.toString(),
          settlementProposer: settled ? order.settlementProposer.toLowerCase() : null,
          settlementBuyerBps: settled ? Number(order.settlementBuyerBps) : null,
        },
        `order ${String(row.order_id)}`,
      );
    }
  });

  it("covers every order path and records each transition in the history", async function () {
    const { rows: states } = await client.query<{ state: string }>(
      "SELECT DISTINCT state FROM indexer.escrow_orders ORDER BY state",
    );
    expect(states.map((row) => row.state)).to.deep.equal([
      "Completed",
      "Disputed",
      "Funded",
      "Refunded",
      "Resolved",
      "Shipped",
    ]);
    const { rows: resolutions } = await client.query<{ resolution: string }>(
      "SELECT resolution FROM indexer.escrow_orders WHERE resolution IS NOT NULL ORDER BY order_id",
    );
    expect(resolutions.map((row) => row.resolution)).to.deep.equal(["Settlement", "Ruling", "Timeout"]);

    const { rows: history } = await client.query<{ state: string; event_name: string }>(
      "SELECT state, event_name FROM indexer.escrow_order_history WHERE order_id = $1 ORDER BY block_number, log_index",
      [scenario.named.settled.toString()],
    );
    expect(history).to.deep.equal([
      { state: "Funded", event_name: "OrderCreated" },
      { state: "Shipped", event_name: "OrderShipped" },
      { state: "Disputed", event_name: "OrderDisputed" },
      { state: "Disputed", event_name: "SettlementProposed" },
      { state: "Disputed", event_name: "SettlementProposed" },
      { state: "Resolved", event_name: "OrderResolved" },
    ]);
    const orderEvents = events.filter(
      (event) => event.contractName === "MarketplaceEscrow" && "orderId" in event.args,
    ).length;
    const { rows: count } = await client.query<{ n: string }>("SELECT count(*) AS n FROM indexer.escrow_order_history");
    expect(Number(count[0].n)).to.equal(orderEvents);
  });

  it("keeps two buyers' orders that carry the same ref, each under its buyer", async function () {
    const { confirmed, sameRef } = scenario.named;
    const { rows } = await client.query<Row>(
      "SELECT order_id, ref, buyer FROM indexer.escrow_orders WHERE order_id = ANY($1) ORDER BY order_id",
      [[confirmed.toString(), sameRef.toString()]],
    );
    expect(rows).to.have.length(2);
    expect(rows[0].ref).to.equal(rows[1].ref);
    expect(rows.map((row) => row.buyer)).to.deep.equal(
      [deployment.accounts.buyers[0], deployment.accounts.buyers[1]].map((buyer) => buyer.address.toLowerCase()),
    );
  });

  it("derives every credit exactly as creditOf reports it", async function () {
    const { escrow, usdc } = deployment;
    const { rows } = await client.query<Row>("SELECT account, token, amount FROM indexer.escrow_credits");
    const stored = new Map(rows.map((row) => [`${String(row.account)}/${String(row.token)}`, row.amount]));
    const accounts = new Set([
      ...(await connection.ethers.getSigners()).map((signer) => signer.address.toLowerCase()),
      context.treasury.toLowerCase(),
      ...rows.map((row) => row.account as string),
    ]);
    const tokens = [zeroAddress, (await usdc.getAddress()).toLowerCase()];
    let nonZero = 0;
    for (const account of accounts) {
      for (const token of tokens) {
        const onChain = await escrow.creditOf(account, token);
        if (onChain !== 0n) nonZero += 1;
        expect(stored.get(`${account}/${token}`) ?? "0", `credit of ${account} in ${token}`).to.equal(
          onChain.toString(),
        );
      }
    }
    expect(nonZero).to.be.greaterThan(3);
    // Withdrawals drove some credits back to exactly zero.
    expect(rows.filter((row) => row.amount === "0")).to.have.length.greaterThan(0);
  });

  it("mirrors AGRI balances, delegates and voting power", async function () {
    const { token } = deployment;
    const { rows: balances } = await client.query<Row>("SELECT account, balance FROM indexer.token_balances");
    const { rows: delegates } = await client.query<Row>(
      "SELECT account, delegate, voting_power FROM indexer.delegates",
    );
    const balanceOf = new Map(balances.map((row) => [row.account as string, row.balance]));
    const delegateOf = new Map(delegates.map((row) => [row.account as string, row]));
    const accounts = new Set([
      ...(await connection.ethers.getSigners()).map((signer) => signer.address.toLowerCase()),
      context.treasury.toLowerCase(),
      ...balanceOf.keys(),
      ...delegateOf.keys(),
    ]);
    for (const account of accounts) {
      expect(balanceOf.get(account) ?? "0", `balance of ${account}`).to.equal(
        (await token.balanceOf(account)).toString(),
      );
      const row = delegateOf.get(account);
      expect(row?.delegate ?? zeroAddress, `delegate of ${account}`).to.equal(
        (await token.delegates(account)).toLowerCase(),
      );
      expect(row?.voting_power ?? "0", `votes of ${account}`).to.equal((await token.getVotes(account)).toString());
    }
    const { rows: supply } = await client.query<{ total: string }>(
      "SELECT sum(balance)::text AS total FROM indexer.token_balances",
    );
    expect(supply[0].total).to.equal((await token.totalSupply()).toString());
  });

  it("mirrors each proposal's state, tally, eta and deadline, and every vote", async function () {
    const { governor } = deployment;
    const { rows } = await client.query<Row>("SELECT * FROM indexer.proposals ORDER BY created_block");
    expect(rows.map((row) => BigInt(row.proposal_id as string))).to.deep.equal(scenario.proposalIds);
    for (const row of rows) {
      const id = BigInt(row.proposal_id as string);
      const { againstVotes, forVotes, abstainVotes } = await governor.proposalVotes(id);
      const state = await governor.state(id);
      const derived = row.executed
        ? ProposalState.Executed
        : row.canceled
          ? ProposalState.Canceled
          : row.queued
            ? ProposalState.Queued
            : undefined;
      expect(derived, `state of ${id}`).to.equal(state);
      expect([row.for_votes, row.against_votes, row.abstain_votes]).to.deep.equal(
        [forVotes, againstVotes, abstainVotes].map(String),
      );
      expect(row.eta ?? "0").to.equal((await governor.proposalEta(id)).toString());
      expect(row.extended_deadline ?? row.vote_end).to.equal((await governor.proposalDeadline(id)).toString());
      expect(row.vote_start).to.equal((await governor.proposalSnapshot(id)).toString());
      expect(row.proposer).to.equal((await governor.proposalProposer(id)).toLowerCase());
    }
    expect(rows[0].extended_deadline, "the late quorum extended the first proposal").to.not.equal(null);

    const { rows: votes } = await client.query<Row>(
      "SELECT proposal_id, voter, support, weight, reason, params FROM indexer.votes ORDER BY block_number, log_index",
    );
    const cast = events.filter((event) => event.eventName === "VoteCast" || event.eventName === "VoteCastWithParams");
    expect(votes).to.have.length(cast.length).and.length.greaterThan(2);
    for (const vote of votes) {
      expect(await governor.hasVoted(vote.proposal_id as string, vote.voter as string)).to.equal(true);
    }
    expect(votes.map((vote) => [vote.reason, vote.params])).to.deep.equal([
      ["Arbiters need to be paid", null],
      ["", null],
      ["No opinion", "0x1234"],
    ]);
  });

  it("mirrors the escrow's parameters: the terms in force, their history, payment tokens and pause", async function () {
    const { escrow, usdc } = deployment;
    const current = await escrow.currentTerms();
    const { rows: terms } = await client.query<{
      first_order_id: string;
      fee_bps: number;
      ship_window: string;
      confirm_window: string;
      arbitration_timeout: string;
    }>("SELECT * FROM indexer.escrow_terms ORDER BY first_order_id DESC");
    // The newest row is what new orders get; every row is what the orders from its first id on snapshotted.
    expect([
      terms[0].fee_bps,
      terms[0].ship_window,
      terms[0].confirm_window,
      terms[0].arbitration_timeout,
    ]).to.deep.equal([
      Number(current.feeBps),
      current.shipWindow.toString(),
      current.confirmWindow.toString(),
      current.arbitrationTimeout.toString(),
    ]);
    for (const row of terms) {
      if (BigInt(row.first_order_id) >= (await escrow.nextOrderId())) continue;
      const order = await escrow.getOrder(row.first_order_id);
      expect(Number(order.terms.feeBps)).to.equal(row.fee_bps);
      expect(order.terms.arbitrationTimeout.toString()).to.equal(row.arbitration_timeout);
    }
    expect(terms.length).to.be.greaterThan(1, "the scenario's fee proposal should have added a second terms row");

    const { rows: tokens } = await client.query<{ token: string; allowed: boolean }>(
      "SELECT token, allowed FROM indexer.escrow_payment_tokens",
    );
    expect(tokens).to.have.length.greaterThan(0);
    for (const row of tokens) expect(await escrow.isPaymentToken(row.token)).to.equal(row.allowed);
    expect(tokens.map((row) => row.token)).to.include((await usdc.getAddress()).toLowerCase());

    const { rows: status } = await client.query<{ paused: boolean }>("SELECT paused FROM indexer.escrow_status");
    expect(status.length === 0 ? false : status[0].paused).to.equal(await escrow.paused());
  });

  it("knows who holds each of the escrow's roles, as hasRole reports it", async function () {
    const { escrow, accounts, timelock } = deployment;
    const { rows } = await client.query<{ contract_name: string; role: string; account: string; holds: boolean }>(
      "SELECT contract_name, role, account, holds FROM indexer.role_holders ORDER BY role, account",
    );
    for (const row of rows) {
      expect(row.contract_name).to.equal("MarketplaceEscrow");
      expect(await escrow.hasRole(row.role, row.account)).to.equal(row.holds, `${row.role} of ${row.account}`);
    }
    const holders = (role: string) => rows.filter((row) => row.role === role && row.holds).map((row) => row.account);
    expect(holders(await escrow.ARBITER_ROLE())).to.deep.equal([accounts.arbiter.address.toLowerCase()]);
    expect(holders(await escrow.DEFAULT_ADMIN_ROLE())).to.deep.equal([(await timelock.getAddress()).toLowerCase()]);
  });

  it("rebuilds exactly the same read models from the stored events", async function () {
    const before = await snapshotReadModels(client);
    // Damage the models first, so equality proves the rebuild rewrote them rather than left them alone.
    await client.query("UPDATE indexer.escrow_credits SET amount = amount + 1");
    await client.query("DELETE FROM indexer.votes");
    expect(await rebuild(client, context)).to.equal(events.length);
    expect(await snapshotReadModels(client)).to.deep.equal(before);
  });

  it("ignores a batch applied a second time instead of counting it twice", async function () {
    const before = await snapshotReadModels(client);
    await client.query("BEGIN");
    expect(await applyEvents(client, events, context)).to.equal(0);
    await client.query("COMMIT");
    expect(await snapshotReadModels(client)).to.deep.equal(before);
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM indexer.events");
    expect(Number(rows[0].n)).to.equal(events.length);
  });

  it("leaves the schema alone when migrations run again", async function () {
    expect(await migrate(client)).to.deep.equal([]);
  });
});

/** Every read-model row, as text, in a stable order: equal snapshots mean identical tables. */
async function snapshotReadModels(client: PoolClient): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await client.query<{ row: string }>(
      `SELECT to_jsonb(t)::text AS row FROM indexer.${table} t ORDER BY 1`,
    );
    snapshot[table] = rows.map((row) => row.row);
  }
  return snapshot;
}
