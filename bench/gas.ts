import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { fundLocalAccounts } from "../scripts/fund-local-accounts.js";
import { deployLocal } from "../test/support/local-deployment.js";
import { signPermit } from "../test/support/permit.js";

// What a minimal escrow (no shipping step, no deadlines, no disputes) spends on one ETH order's life:
// create 115,331 + complete 100,588 + two withdrawals of 29,990. Ours must not cost more.
const MINIMAL_ESCROW_ETH_LIFECYCLE = 275_899;

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { escrow, token, governor, usdc, accounts } = await deployLocal(connection);
const { buyers, farmers, voters, arbiter, others } = accounts;
const keeper = others[0];
const treasury = await escrow.treasury();
const usdcAddress = await usdc.getAddress();
const ETH = ethers.ZeroAddress;
const ONE_ETH = 10n ** 18n;
const USDC_100 = 100n * 10n ** 6n;

const gas: Record<string, number> = {};
let refCounter = 0;
const nextRef = () => ethers.id(`bench-${++refCounter}`);

async function measure(name: string | undefined, send: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await send).wait();
  if (receipt === null) throw new Error(`no receipt for ${name ?? "warm-up"}`);
  const used = Number(receipt.gasUsed);
  if (name !== undefined) gas[name] = used;
  return used;
}

async function openEthOrder(buyer = buyers[0], seller = farmers[0], name?: string): Promise<bigint> {
  const id = await escrow.nextOrderId();
  await measure(name, escrow.connect(buyer).createOrder(seller.address, ETH, ONE_ETH, nextRef(), { value: ONE_ETH }));
  return id;
}

await fundLocalAccounts({ usdc, token }, { buyers, voters: [] });

// Measured on a fresh deployment: the first order ever, from a seller who has never sold. The treasury's credit
// slots were opened when its payment tokens were accepted, so no order pays for them.
async function ethLifecycle(prefix: string, seller = farmers[0]): Promise<number> {
  const id = await openEthOrder(buyers[0], seller, `${prefix}createEth`);
  const steps = [
    gas[`${prefix}createEth`],
    await measure(`${prefix}ship`, escrow.connect(seller).markShipped(id)),
    await measure(`${prefix}confirm`, escrow.connect(buyers[0]).confirmDelivery(id)),
    await measure(`${prefix}withdrawSeller`, escrow.connect(seller).withdraw(ETH, seller.address)),
    await measure(`${prefix}withdrawTreasury`, escrow.connect(keeper).withdrawFor(treasury, ETH)),
  ];
  return steps.reduce((a, b) => a + b, 0);
}
const escrowEthLifecycle = await ethLifecycle("");
const escrowEthLifecycleReturningSeller = await ethLifecycle("returningSeller.");

await measure(undefined, usdc.connect(buyers[0]).approve(await escrow.getAddress(), ethers.MaxUint256));
await measure(
  "createErc20",
  escrow.connect(buyers[0]).createOrder(farmers[0].address, usdcAddress, USDC_100, nextRef()),
);

{
  const buyer = buyers[2];
  const deadline = (await networkHelpers.time.latest()) + 3600;
  const signature = await signPermit(usdc, buyer, { spender: await escrow.getAddress(), value: USDC_100, deadline });
  await measure(
    "createWithPermit",
    escrow
      .connect(buyer)
      .createOrderWithPermit(
        farmers[0].address,
        usdcAddress,
        USDC_100,
        nextRef(),
        deadline,
        signature.v,
        signature.r,
        signature.s,
      ),
  );
}

await measure(
  "createBatchOf3",
  escrow.connect(buyers[0]).createOrders(
    ETH,
    farmers.map((farmer) => ({ seller: farmer.address, amount: ONE_ETH, ref: nextRef() })),
    { value: 3n * ONE_ETH },
  ),
);

{
  const id = await openEthOrder();
  await measure(undefined, escrow.connect(farmers[0]).markShipped(id));
  await measure("dispute", escrow.connect(buyers[0]).openDispute(id));
  await measure("ruling", escrow.connect(arbiter).rule(id, 4_000));
  gas["disputeAndRuling"] = gas["dispute"] + gas["ruling"];
}
{
  const id = await openEthOrder();
  await networkHelpers.time.increase((await escrow.currentTerms()).shipWindow + 1n);
  await measure("timeoutRefund", escrow.connect(keeper).refundAfterTimeout(id));
}

{
  const [proposer, voterB, voterC] = voters;
  await measure("delegate", token.connect(proposer).delegate(proposer.address));
  await measure(undefined, token.connect(voterB).delegate(voterB.address));
  await measure(undefined, token.connect(voterC).delegate(voterC.address));
  await networkHelpers.mine();
  const targets = [await escrow.getAddress()];
  const values = [0n];
  const calldatas = [escrow.interface.encodeFunctionData("setFee", [300])];
  const description = "Set the platform fee to 3.00%";
  const proposalId = await governor.hashProposal(targets, values, calldatas, ethers.id(description));
  await measure("propose", governor.connect(proposer).propose(targets, values, calldatas, description));
  await networkHelpers.time.increase((await governor.votingDelay()) + 1n);
  await measure("castVote", governor.connect(proposer).castVote(proposalId, 1));
  await measure("castVoteWithReason", governor.connect(voterB).castVoteWithReason(proposalId, 1, "Fair for farmers"));
  await networkHelpers.time.increase((await governor.votingPeriod()) + 1n);
  await measure("queue", governor.connect(voterC).queue(targets, values, calldatas, ethers.id(description)));
  await networkHelpers.time.increase(61);
  await measure("execute", governor.connect(voterC).execute(targets, values, calldatas, ethers.id(description)));
  if ((await escrow.currentTerms()).feeBps !== 300n) throw new Error("the benchmarked proposal did not change the fee");
}

const results = {
  escrowEthLifecycle,
  escrowEthLifecycleReturningSeller,
  minimalEscrowEthLifecycle: MINIMAL_ESCROW_ETH_LIFECYCLE,
  gas,
};
console.table(Object.entries(gas).map(([operation, used]) => ({ operation, gas: used })));
console.log(
  `ETH order lifecycle (create + ship + confirm + seller and treasury withdrawals): ${escrowEthLifecycle} gas ` +
    `(first sale of the seller), ${escrowEthLifecycleReturningSeller} gas (returning seller); ` +
    `minimal escrow: ${MINIMAL_ESCROW_ETH_LIFECYCLE}.`,
);
const outFile = path.join(import.meta.dirname, "results", "gas.json");
await mkdir(path.dirname(outFile), { recursive: true });
await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Wrote ${path.relative(process.cwd(), outFile)}`);
await connection.close();
