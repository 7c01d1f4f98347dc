import { expect } from "chai";
import { encodeAbiParameters, encodeEventTopics, keccak256, toHex } from "viem";
import type { Log } from "viem";

import { agriTokenAbi } from "../../protocol/generated/contracts.js";
import { decodeLog } from "../../indexer/src/decode-log.js";
import { InvalidLogError } from "../../indexer/src/errors.js";

const addresses = {
  MarketplaceEscrow: "0x00000000000000000000000000000000000000e5",
  AgriToken: "0x00000000000000000000000000000000000000A9",
  AgriGovernor: "0x0000000000000000000000000000000000000060",
} as const;
const holder = "0x1111111111111111111111111111111111111111";
const recipient = "0x2222222222222222222222222222222222222222";

function transferLog(overrides: Partial<Log> = {}): Log {
  return {
    address: addresses.AgriToken,
    topics: encodeEventTopics({ abi: agriTokenAbi, eventName: "Transfer", args: { from: holder, to: recipient } }),
    data: encodeAbiParameters([{ type: "uint256" }], [5n]),
    blockNumber: 7n,
    blockHash: keccak256(toHex("block 7")),
    transactionHash: keccak256(toHex("tx")),
    transactionIndex: 0,
    logIndex: 3,
    removed: false,
    ...overrides,
  } as Log;
}

describe("decodeLog", function () {
  it("decodes a log of an indexed contract, whatever the address's case, with its position", function () {
    const event = decodeLog(
      transferLog({ address: addresses.AgriToken.toLowerCase() as Log["address"] }),
      99n,
      addresses,
    );
    expect(event).to.deep.include({
      contractName: "AgriToken",
      eventName: "Transfer",
      args: { from: holder, to: recipient, value: 5n },
      blockNumber: 7n,
      blockTimestamp: 99n,
      logIndex: 3,
      address: addresses.AgriToken.toLowerCase(),
    });
  });

  it("ignores logs of other contracts", function () {
    expect(decodeLog(transferLog({ address: recipient }), 99n, addresses)).to.equal(undefined);
  });

  it("ignores events the contract's ABI does not know", function () {
    const unknown = transferLog({ topics: [keccak256(toHex("Unknown(uint256)"))] });
    expect(decodeLog(unknown, 99n, addresses)).to.equal(undefined);
  });

  it("rejects a pending log, which has no position to store", function () {
    expect(() => decodeLog(transferLog({ blockHash: null, logIndex: null }), 99n, addresses)).to.throw(InvalidLogError);
  });
});
