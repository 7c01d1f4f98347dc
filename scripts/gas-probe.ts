import { network } from "hardhat";
import LocalModule from "../deploy/LocalModule.js";
import { localParameters, LOCAL_ROLES } from "../deploy/local.js";

const { ethers, ignition } = await network.connect();
const signers = await ethers.getSigners();
const addrs = signers.map((s) => s.address);
const { escrow } = await ignition.deploy(LocalModule, { parameters: localParameters(addrs) });
const buyer = signers[LOCAL_ROLES.buyers[0]];
const seller = signers[LOCAL_ROLES.farmers[0]];
const other = signers[12];
const e = escrow.connect(buyer) as any;
async function g(p: Promise<any>) { const r = await (await p).wait(); return Number(r.gasUsed); }
// warm-up order so the counter is non-zero like in steady state
const s2 = signers[LOCAL_ROLES.farmers[1]];
await g(e.createOrder(s2.address, ethers.ZeroAddress, 10n**18n, ethers.id("warm"), { value: 10n**18n }));
await g((escrow.connect(s2) as any).markShipped(1)); await g(e.confirmDelivery(1));
await g((escrow.connect(other) as any).withdrawFor(await escrow.treasury(), ethers.ZeroAddress));
const c = await g(e.createOrder(seller.address, ethers.ZeroAddress, 10n**18n, ethers.id("o2"), { value: 10n**18n }));
const s = await g((escrow.connect(seller) as any).markShipped(2));
const f = await g(e.confirmDelivery(2));
const w1 = await g((escrow.connect(seller) as any).withdraw(ethers.ZeroAddress, seller.address));
const tl = await escrow.treasury();
const w2 = await g((escrow.connect(other) as any).withdrawFor(tl, ethers.ZeroAddress));
console.log({ c, s, f, w1, w2, total: c + s + f + w1 + w2 });
