import { expect } from "chai";

import { minorToWei } from "../../api/src/checkout/minor-to-wei.js";

/** 3000 USD per ETH, as an 8-decimal Chainlink ETH / USD answer. */
const USD_3000 = 300_000_000_000n;

describe("minor units to wei at a price-feed answer", function () {
  it("converts an amount that divides evenly exactly", function () {
    expect(minorToWei(300_000n, "USD", USD_3000, 8)).to.equal(10n ** 18n);
    expect(minorToWei(150n, "USD", USD_3000, 8)).to.equal(5n * 10n ** 14n);
  });

  it("rounds a remainder up by one wei, in the platform's favour", function () {
    // 25 USD at 3000 USD/ETH is 8 333 333 333 333 333.3… wei.
    expect(minorToWei(2_500n, "USD", USD_3000, 8)).to.equal(8_333_333_333_333_334n);
    // 1 cent is 3 333 333 333 333.3… wei.
    expect(minorToWei(1n, "USD", USD_3000, 8)).to.equal(3_333_333_333_334n);
  });

  it("never pays less than the amount is worth, and at most one wei more", function () {
    const prices = [USD_3000, 123_456_789_012n, 1n, 99_999_999_999_999n];
    for (const price of prices) {
      for (const amountMinor of [1n, 7n, 1_999n, 2_500n, 123_456_789n]) {
        const wei = minorToWei(amountMinor, "USD", price, 8);
        const owed = amountMinor * 10n ** 18n * 10n ** 8n;
        // Compared in the same units: wei × price × 10^2 against minor × 10^18 × 10^8.
        expect(wei * price * 100n >= owed, `${amountMinor} at ${price}`).to.equal(true);
        expect((wei - 1n) * price * 100n < owed, `${amountMinor} at ${price}`).to.equal(true);
      }
    }
  });

  it("stays exact for amounts beyond Number's safe integers and feeds with many decimals", function () {
    const huge = 9_007_199_254_740_993n;
    expect(minorToWei(huge, "USD", 100_000_000n, 8)).to.equal(huge * 10n ** 16n);
    // 3000 USD/ETH with 18 decimals: the same result as with 8.
    expect(minorToWei(2_500n, "USD", 3_000n * 10n ** 18n, 18)).to.equal(8_333_333_333_333_334n);
    expect(minorToWei(10n ** 30n, "USD", USD_3000, 8)).to.equal((10n ** 30n * 10n ** 26n) / (USD_3000 * 100n) + 1n);
  });

  it("follows the currency's minor units: none for JPY, three for KWD", function () {
    // 500 JPY at 450 000 JPY/ETH is 1 111 111 111 111 111.1… wei.
    expect(minorToWei(500n, "JPY", 45_000_000_000_000n, 8)).to.equal(1_111_111_111_111_112n);
    // 1.000 KWD at 1000 KWD/ETH is exactly 1/1000 ETH.
    expect(minorToWei(1_000n, "KWD", 100_000_000_000n, 8)).to.equal(10n ** 15n);
  });

  it("refuses an amount, price or decimals that cannot price a payment", function () {
    expect(() => minorToWei(0n, "USD", USD_3000, 8)).to.throw(RangeError, /positive/);
    expect(() => minorToWei(-5n, "USD", USD_3000, 8)).to.throw(RangeError, /positive/);
    expect(() => minorToWei(100n, "USD", 0n, 8)).to.throw(RangeError, /price must be positive/);
    expect(() => minorToWei(100n, "USD", -1n, 8)).to.throw(RangeError, /price must be positive/);
    for (const decimals of [-1, 37, 1.5]) {
      expect(() => minorToWei(100n, "USD", USD_3000, decimals)).to.throw(RangeError, /decimals/);
    }
  });
});
