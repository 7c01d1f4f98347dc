import type { network } from "hardhat";
import { createPublicClient, custom } from "viem";
import type { EIP1193Provider } from "viem";

import { decodeLog } from "../../indexer/src/decode-log.js";
import type { IndexedAddresses, PositionedEvent } from "../../indexer/src/decode-log.js";

type Connection = Awaited<ReturnType<typeof network.create>>;

/** Every log the chain holds, from block 0 to the latest, decoded the way the indexer decodes it. */
export async function fetchDecodedEvents(
  connection: Connection,
  addresses: IndexedAddresses,
): Promise<PositionedEvent[]> {
  // Hardhat's provider speaks EIP-1193; viem's type is stricter about the request signature than it needs to be.
  const client = createPublicClient({ transport: custom(connection.provider as unknown as EIP1193Provider) });
  const logs = await client.getLogs({ fromBlock: 0n, toBlock: "latest" });
  const timestamps = new Map<bigint, bigint>();
  const events: PositionedEvent[] = [];
  for (const log of logs) {
    let timestamp = timestamps.get(log.blockNumber);
    if (timestamp === undefined) {
      timestamp = (await client.getBlock({ blockNumber: log.blockNumber })).timestamp;
      timestamps.set(log.blockNumber, timestamp);
    }
    const event = decodeLog(log, timestamp, addresses);
    if (event !== undefined) events.push(event);
  }
  return events;
}
