import { ethers } from "ethers";
import type { network } from "hardhat";

import { openOrder, orderRef } from "./escrow-actions.js";
import {
  VoteType,
  advancePast,
  closeVoting,
  delegateToSelf,
  openVoting,
  propose,
  proposalArgs,
  queueProposal,
  waitForEta,
} from "./governance-actions.js";
import type { Proposal } from "./governance-actions.js";
import type { deployLocal } from "./local-deployment.js";

type Connection = Awaited<ReturnType<typeof network.create>>;
type Deployment = Awaited<ReturnType<typeof deployLocal>>;

const ETHER = 10n ** 18n;
const USDC = 10n ** 6n;

/**
 * Drives the local deployment through every escrow path (complete, refund by decline and timeout, disputes settled,
 * ruled and timed out, a batch, withdrawals, two buyers' orders with one ref; in ETH and MockUSDC) and a governance
 * round (delegations, transfers, votes with reasons and params, a late-quorum extension, queue, execute, and a
 * canceled proposal), so the logs it leaves exercise every handler.
 */
export async function runIndexerScenario(connection: Connection, deployment: Deployment) {
  const { networkHelpers } = connection;
  const { time } = networkHelpers;
  const { escrow, token, governor, usdc, accounts } = deployment;
  const [farmerA, farmerB, farmerC] = accounts.farmers;
  const [buyerA, buyerB, buyerC] = accounts.buyers;
  const { arbiter } = accounts;
  const terms = await escrow.currentTerms();
  const wait = async (sent: Promise<{ wait(): Promise<unknown> }>) => (await sent).wait();

  // Completed by the buyer, in ETH.
  const confirmed = await openOrder(escrow, buyerA, farmerA, ETHER);
  await wait(escrow.connect(farmerA).markShipped(confirmed));
  await wait(escrow.connect(buyerA).confirmDelivery(confirmed));

  // Refs are unique per buyer only: another buyer's order carries the same ref as the one above.
  const sameRef = await openOrder(escrow, buyerB, farmerA, ETHER / 4n, { ref: orderRef(`order-${confirmed}`) });
  await wait(escrow.connect(farmerA).declineOrder(sameRef));

  // Completed by timeout, in USDC.
  const timedOutCompletion = await openOrder(escrow, buyerB, farmerB, 250n * USDC, { usdc });
  await wait(escrow.connect(farmerB).markShipped(timedOutCompletion));
  await time.increase(terms.confirmWindow + 1n);
  await wait(escrow.connect(buyerC).completeAfterTimeout(timedOutCompletion));

  // Refunded: declined by the seller, and by the ship deadline passing.
  const declined = await openOrder(escrow, buyerA, farmerB, 2n * ETHER);
  await wait(escrow.connect(farmerB).declineOrder(declined));
  const unshipped = await openOrder(escrow, buyerC, farmerC, 40n * USDC, { usdc });
  await time.increase(terms.shipWindow + 1n);
  await wait(escrow.connect(farmerA).refundAfterTimeout(unshipped));

  // Disputes: settled by agreement, ruled by the arbiter, and resolved by the arbitration timeout.
  const settled = await openOrder(escrow, buyerB, farmerA, 3n * ETHER);
  await wait(escrow.connect(farmerA).markShipped(settled));
  await wait(escrow.connect(buyerB).openDispute(settled));
  await wait(escrow.connect(farmerA).proposeSettlement(settled, 2_000));
  await wait(escrow.connect(buyerB).proposeSettlement(settled, 4_000));
  await wait(escrow.connect(farmerA).acceptSettlement(settled, 4_000));
  const ruled = await openOrder(escrow, buyerA, farmerC, 500n * USDC, { usdc });
  await wait(escrow.connect(farmerC).openDispute(ruled));
  await wait(escrow.connect(arbiter).rule(ruled, 7_000));
  const abandoned = await openOrder(escrow, buyerC, farmerB, ETHER / 2n);
  await wait(escrow.connect(farmerB).markShipped(abandoned));
  await wait(escrow.connect(buyerC).openDispute(abandoned));
  await time.increase(terms.arbitrationTimeout + 1n);
  await wait(escrow.connect(buyerA).resolveAfterTimeout(abandoned));

  // One cart for three farmers; the orders are left Funded, Shipped and Disputed with a proposal standing.
  const firstInBatch = await escrow.nextOrderId();
  const requests = [farmerA, farmerB, farmerC].map((farmer, i) => ({
    seller: farmer.address,
    amount: BigInt(i + 1) * ETHER,
    ref: orderRef(`cart-${i}`),
  }));
  const total = requests.reduce((sum, request) => sum + request.amount, 0n);
  await wait(escrow.connect(buyerB).createOrders(ethers.ZeroAddress, requests, { value: total }));
  await wait(escrow.connect(farmerB).markShipped(firstInBatch + 1n));
  await wait(escrow.connect(buyerB).openDispute(firstInBatch + 2n));
  await wait(escrow.connect(buyerB).proposeSettlement(firstInBatch + 2n, 10_000));

  // Withdrawals: to oneself, to another address, and the treasury's fees collected by anyone.
  await wait(escrow.connect(farmerA).withdraw(ethers.ZeroAddress, farmerA.address));
  await wait(escrow.connect(buyerA).withdraw(await usdc.getAddress(), accounts.others[0].address));
  await wait(escrow.connect(buyerC).withdrawFor(await escrow.treasury(), ethers.ZeroAddress));

  // Governance: voters delegate to themselves; a transfer moves voting power to a delegate of someone else.
  const [proposer, supporter, abstainer] = accounts.voters;
  const [holder] = accounts.others;
  await delegateToSelf(token, accounts.voters);
  await wait(token.connect(proposer).transfer(holder.address, 1_000_000n * ETHER));
  await wait(token.connect(holder).delegate(supporter.address));
  await wait(token.connect(supporter).transfer(accounts.others[1].address, 5n * ETHER));

  const proposal: Proposal = {
    targets: [await escrow.getAddress()],
    values: [0n],
    calldatas: [escrow.interface.encodeFunctionData("setFee", [300])],
    description: "Raise the platform fee to 3% to fund arbitration",
  };
  const proposalId = await propose(governor, proposer, proposal);
  await openVoting(networkHelpers, governor, proposalId);
  // Voting close to the deadline makes the quorum late, so GovernorPreventLateQuorum extends the vote.
  await advancePast(networkHelpers, (await governor.proposalDeadline(proposalId)) - 10n);
  await wait(governor.connect(supporter).castVoteWithReason(proposalId, VoteType.For, "Arbiters need to be paid"));
  await wait(governor.connect(proposer).castVote(proposalId, VoteType.For));
  await wait(
    governor.connect(abstainer).castVoteWithReasonAndParams(proposalId, VoteType.Abstain, "No opinion", "0x1234"),
  );
  await closeVoting(networkHelpers, governor, proposalId);
  await queueProposal(governor, proposal);
  await waitForEta(networkHelpers, governor, proposalId);
  await wait(governor.execute(...proposalArgs(proposal)));

  const withdrawn: Proposal = { ...proposal, description: "Raise the fee (withdrawn)" };
  const withdrawnId = await propose(governor, abstainer, withdrawn);
  await wait(governor.connect(abstainer).cancel(...proposalArgs(withdrawn)));

  return {
    orderIds: range(1n, await escrow.nextOrderId()),
    proposalIds: [proposalId, withdrawnId],
    named: { confirmed, sameRef, timedOutCompletion, declined, unshipped, settled, ruled, abandoned, firstInBatch },
  };
}

function range(from: bigint, to: bigint): bigint[] {
  const values: bigint[] = [];
  for (let i = from; i < to; i++) values.push(i);
  return values;
}
