import { expect } from "chai";
import { decodeFunctionData, erc20Abi, getAddress, keccak256, toBytes, zeroAddress } from "viem";
import type { Abi } from "viem";

import { contractCallJson } from "../../protocol/contract-call.js";
import type { ContractCall } from "../../protocol/contract-call.js";
import { escrowCalls } from "../../protocol/escrow/escrow-calls.js";
import {
  agriGovernorAbi,
  agriTokenAbi,
  marketplaceEscrowAbi,
  marketplaceEscrowConstants,
} from "../../protocol/generated/contracts.js";
import { governorCalls } from "../../protocol/governance/governor-calls.js";
import { tokenCalls } from "../../protocol/token-calls.js";

// Checksummed, as decoding spells an address.
const escrow = getAddress("0x00000000000000000000000000000000000e5c40");
const governor = getAddress("0x000000000000000000000000000000000000a9e0");
const token = getAddress("0x0000000000000000000000000000000000000dc0");
const seller = getAddress("0x5e11e50000000000000000000000000000000001");
const buyer = getAddress("0xb0e5000000000000000000000000000000000002");
const ref = keccak256(toBytes("order-1"));

/** What `data` says when decoded with `abi`: the function and its arguments by their ABI names. */
function decoded(abi: Abi, call: ContractCall) {
  const { functionName, args } = decodeFunctionData({ abi, data: call.data });
  const positional: readonly unknown[] = args ?? [];
  const fn = abi.find(
    (item) => item.type === "function" && item.name === functionName && item.inputs.length === positional.length,
  );
  if (fn?.type !== "function") throw new Error(`no ${functionName} in the ABI`);
  return {
    functionName,
    args: Object.fromEntries(fn.inputs.map((input, index) => [input.name ?? String(index), positional[index]])),
  };
}

describe("protocol contract calls (one builder per escrow, governance and token action)", () => {
  it("encodes each escrow action as its data says: the function and arguments it names, sent to the escrow", () => {
    const calls = [
      escrowCalls.createOrder(escrow, { seller, token, amount: 1_500n, ref }, 0n),
      escrowCalls.createOrders(escrow, zeroAddress, [{ seller, amount: 7n, ref }], 7n),
      escrowCalls.markShipped(escrow, 3n),
      escrowCalls.confirmDelivery(escrow, 3n),
      escrowCalls.refundAfterTimeout(escrow, 3n),
      escrowCalls.completeAfterTimeout(escrow, 3n),
      escrowCalls.declineOrder(escrow, 3n),
      escrowCalls.openDispute(escrow, 3n),
      escrowCalls.resolveAfterTimeout(escrow, 3n),
      escrowCalls.proposeSettlement(escrow, 3n, 2_500),
      escrowCalls.acceptSettlement(escrow, 3n, 2_500),
      escrowCalls.rule(escrow, 3n, 10_000),
      escrowCalls.withdraw(escrow, token, seller),
      escrowCalls.setFee(escrow, 300),
      escrowCalls.setWindows(escrow, { shipWindow: 7_200, confirmWindow: 3_600, arbitrationTimeout: 86_400 }),
      escrowCalls.setPaymentToken(escrow, token, true),
      escrowCalls.grantRole(escrow, marketplaceEscrowConstants.ARBITER_ROLE, buyer),
      escrowCalls.revokeRole(escrow, marketplaceEscrowConstants.GUARDIAN_ROLE, buyer),
    ];
    for (const call of calls) {
      expect(call.to, call.functionName).to.equal(escrow);
      expect(decoded(marketplaceEscrowAbi, call), call.functionName).to.deep.equal({
        functionName: call.functionName,
        args: call.args,
      });
    }
    expect(calls[1].value).to.equal(7n);
  });

  it("encodes governance votes and proposals, queue and execute naming the proposal by its description's hash", () => {
    const proposal = {
      targets: [escrow],
      values: [0n],
      calldatas: [escrowCalls.setFee(escrow, 300).data],
      description: "# Fee",
    };
    const calls = [
      governorCalls.propose(governor, proposal),
      governorCalls.queue(governor, proposal),
      governorCalls.execute(governor, proposal),
      governorCalls.castVote(governor, { proposalId: 9n, support: 1 }),
      governorCalls.castVoteWithReason(governor, { proposalId: 9n, support: 0, reason: "too high" }),
      governorCalls.castVoteBySig(governor, { proposalId: 9n, support: 2, voter: buyer, signature: "0x1234" }),
      governorCalls.castVoteWithReasonAndParamsBySig(governor, {
        proposalId: 9n,
        support: 1,
        voter: buyer,
        reason: "yes",
        params: "0x",
        signature: "0x1234",
      }),
    ];
    for (const call of calls) {
      expect(call.to, call.functionName).to.equal(governor);
      expect(decoded(agriGovernorAbi, call), call.functionName).to.deep.equal({
        functionName: call.functionName,
        args: call.args,
      });
    }
    expect(governorCalls.queue(governor, proposal).args.descriptionHash).to.equal(keccak256(toBytes("# Fee")));
  });

  it("encodes the token actions: approve and transfer as any ERC-20's, delegate as AGRI's", () => {
    for (const call of [tokenCalls.approve(token, escrow, 5n), tokenCalls.transfer(token, seller, 5n)]) {
      expect(decoded(erc20Abi, call).functionName).to.equal(call.functionName);
      expect(decoded(agriTokenAbi, call)).to.deep.equal({ functionName: call.functionName, args: call.args });
    }
    const delegation = tokenCalls.delegate(token, buyer);
    expect(decoded(agriTokenAbi, delegation)).to.deep.equal({ functionName: "delegate", args: { delegatee: buyer } });
  });

  it("answers a call as JSON with its value and uint256 arguments as decimal strings", () => {
    const call = escrowCalls.createOrders(escrow, zeroAddress, [{ seller, amount: 10n ** 18n, ref }], 10n ** 18n);
    expect(contractCallJson(call)).to.deep.equal({
      to: escrow,
      data: call.data,
      value: "1000000000000000000",
      functionName: "createOrders",
      args: { token: zeroAddress, requests: [{ seller, amount: "1000000000000000000", ref }] },
    });
    expect(contractCallJson(escrowCalls.rule(escrow, 4n, 5_000)))
      .to.include({ value: "0" })
      .and.deep.include({
        args: { orderId: "4", buyerBps: 5_000 },
      });
  });
});
