import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Writes an Ignition deployment folder the way Ignition does: a journal and deployed_addresses.json. */
export async function writeDeployment(
  dir: string,
  chainId: number,
  blocks: number[],
  addresses: Record<string, string>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const journal = [
    { chainId, type: "DEPLOYMENT_INITIALIZE" },
    ...blocks.map((blockNumber) => ({ type: "TRANSACTION_CONFIRM", receipt: { blockNumber, status: "SUCCESS" } })),
  ];
  await writeFile(path.join(dir, "journal.jsonl"), journal.map((line) => JSON.stringify(line)).join("\n") + "\n");
  await writeFile(path.join(dir, "deployed_addresses.json"), JSON.stringify(addresses));
}
