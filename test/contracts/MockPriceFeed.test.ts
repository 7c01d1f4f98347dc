import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_ETH_USD_PRICE } from "../../deploy/LocalModule.js";
import { deployLocal } from "../support/local-deployment.js";

const connection = await network.create();
const { networkHelpers } = connection;

describe("MockPriceFeed (local chains only)", () => {
  const fixture = () => deployLocal(connection);

  it("is deployed by the local module as an 8-decimal ETH / USD feed at 3000 USD", async () => {
    const { ethUsdFeed } = await networkHelpers.loadFixture(fixture);
    expect(await ethUsdFeed.decimals()).to.equal(8n);
    expect(await ethUsdFeed.description()).to.equal("ETH / USD");
    expect(await ethUsdFeed.version()).to.equal(4n);
    const [roundId, answer, startedAt, updatedAt, answeredInRound] = await ethUsdFeed.latestRoundData();
    expect(answer).to.equal(LOCAL_ETH_USD_PRICE);
    expect(answer).to.equal(300_000_000_000n);
    expect(roundId).to.equal(1n);
    expect(answeredInRound).to.equal(roundId);
    expect(updatedAt).to.equal(startedAt);
    expect(updatedAt).to.be.greaterThan(0n);
  });

  it("records each answer its owner sets as a new round, stamped with the block's time", async () => {
    const { ethUsdFeed } = await networkHelpers.loadFixture(fixture);
    await expect(ethUsdFeed.setAnswer(310_012_345_678n))
      .to.emit(ethUsdFeed, "AnswerUpdated")
      .withArgs(310_012_345_678n, 2n, (await networkHelpers.time.latest()) + 1);
    const [roundId, answer, , updatedAt, answeredInRound] = await ethUsdFeed.latestRoundData();
    expect([roundId, answer, updatedAt, answeredInRound]).to.deep.equal([
      2n,
      310_012_345_678n,
      BigInt(await networkHelpers.time.latest()),
      2n,
    ]);
    const [, firstAnswer] = await ethUsdFeed.getRoundData(1n);
    expect(firstAnswer).to.equal(LOCAL_ETH_USD_PRICE);
  });

  it("rehearses a stale feed, an incomplete round and a non-positive answer, as a live feed may report them", async () => {
    const { ethUsdFeed } = await networkHelpers.loadFixture(fixture);
    const now = await networkHelpers.time.latest();
    await ethUsdFeed.setRound(LOCAL_ETH_USD_PRICE, now - 7_200, now - 7_200);
    expect((await ethUsdFeed.latestRoundData())[3]).to.equal(BigInt(now - 7_200));
    await ethUsdFeed.setRound(LOCAL_ETH_USD_PRICE, now, 0);
    expect((await ethUsdFeed.latestRoundData())[3]).to.equal(0n);
    await ethUsdFeed.setAnswer(-1n);
    expect((await ethUsdFeed.latestRoundData())[1]).to.equal(-1n);
  });

  it("refuses a round updated before it started", async () => {
    const { ethUsdFeed } = await networkHelpers.loadFixture(fixture);
    await expect(ethUsdFeed.setRound(1n, 1_000, 999))
      .to.be.revertedWithCustomError(ethUsdFeed, "MockPriceFeedUpdatedBeforeStart")
      .withArgs(1_000n, 999n);
  });

  it("refuses a round it never had", async () => {
    const { ethUsdFeed } = await networkHelpers.loadFixture(fixture);
    for (const roundId of [0n, 2n]) {
      await expect(ethUsdFeed.getRoundData(roundId))
        .to.be.revertedWithCustomError(ethUsdFeed, "MockPriceFeedUnknownRound")
        .withArgs(roundId);
    }
  });

  it("lets only its owner set answers", async () => {
    const { ethUsdFeed, accounts } = await networkHelpers.loadFixture(fixture);
    const [stranger] = accounts.others;
    await expect(ethUsdFeed.connect(stranger).setAnswer(1n))
      .to.be.revertedWithCustomError(ethUsdFeed, "OwnableUnauthorizedAccount")
      .withArgs(stranger.address);
    await expect(ethUsdFeed.connect(stranger).setRound(1n, 0, 0))
      .to.be.revertedWithCustomError(ethUsdFeed, "OwnableUnauthorizedAccount")
      .withArgs(stranger.address);
    expect(await ethUsdFeed.owner()).to.equal(accounts.deployer.address);
  });
});
