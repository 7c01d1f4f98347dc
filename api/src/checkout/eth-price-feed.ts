import { createPublicClient, defineChain, http } from "viem";
import type { Address } from "viem";

import { iAggregatorV3Abi } from "../../../protocol/generated/contracts.js";
import { chainUnreachable } from "../operations/chain-unreachable.js";
import { PriceFeedUnusableError } from "./checkout-errors.js";

/** One usable round of the ETH price feed: `answer / 10**decimals` units of the shop currency per ETH. */
export interface EthPrice {
  answer: bigint;
  decimals: number;
  roundId: bigint;
  updatedAt: Date;
}

export interface EthPriceFeed {
  readonly address: Address;
  /**
   * The feed's latest round, checked as Chainlink advises: a round that never completed (updatedAt 0, or answered in
   * an earlier round), a non-positive answer, or one older than the maximum age throws PriceFeedUnusableError.
   */
  latestPrice(): Promise<EthPrice>;
}

/** Reads a Chainlink-style AggregatorV3 feed (a live ETH / USD feed, or MockPriceFeed locally) through `rpcUrl`. */
export function createEthPriceFeed(deps: {
  chainId: number;
  rpcUrl: string;
  feedAddress: Address;
  /** A round updated longer ago than this is stale: the feed's heartbeat plus a margin. */
  maxAgeSeconds: number;
  now?: () => Date;
}): EthPriceFeed {
  const { rpcUrl, feedAddress, maxAgeSeconds } = deps;
  const now = deps.now ?? (() => new Date());
  const chain = defineChain({
    id: deps.chainId,
    name: `chain ${deps.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const feed = { address: feedAddress, abi: iAggregatorV3Abi } as const;
  // A feed's decimals never change: read once, and again only if that read failed.
  let decimals: Promise<number> | undefined;
  const readDecimals = () =>
    (decimals ??= client.readContract({ ...feed, functionName: "decimals" }).catch((error: unknown) => {
      decimals = undefined;
      throw error;
    }));

  async function read(): Promise<EthPrice> {
    const [[roundId, answer, , updatedAtSeconds, answeredInRound], priceDecimals] = await Promise.all([
      client.readContract({ ...feed, functionName: "latestRoundData" }),
      readDecimals(),
    ]);
    const round = { feed: feedAddress, roundId: roundId.toString() };
    if (updatedAtSeconds === 0n || answeredInRound < roundId) {
      throw new PriceFeedUnusableError("incomplete_round", `round ${roundId} of the price feed never completed`, {
        ...round,
        updatedAt: Number(updatedAtSeconds),
        answeredInRound: answeredInRound.toString(),
      });
    }
    if (answer <= 0n) {
      throw new PriceFeedUnusableError("non_positive_answer", `the price feed answered ${answer}, not a price`, {
        ...round,
        answer: answer.toString(),
      });
    }
    const updatedAt = new Date(Number(updatedAtSeconds) * 1000);
    const ageSeconds = Math.floor((now().getTime() - updatedAt.getTime()) / 1000);
    if (ageSeconds > maxAgeSeconds) {
      throw new PriceFeedUnusableError(
        "stale",
        `the price feed was last updated ${ageSeconds} s ago, more than the ${maxAgeSeconds} s allowed`,
        { ...round, updatedAt: updatedAt.toISOString(), ageSeconds, maxAgeSeconds },
      );
    }
    return { answer, decimals: priceDecimals, roundId, updatedAt };
  }

  return {
    address: feedAddress,
    async latestPrice() {
      try {
        return await read();
      } catch (error) {
        throw chainUnreachable(error, rpcUrl);
      }
    },
  };
}
