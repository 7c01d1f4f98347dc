import { expect } from "chai";

import { currencyExponent, minorToTokenUnits } from "../../api/src/checkout/minor-to-token-units.js";

describe("minor units to token units", function () {
  it("knows how many minor units each currency has", function () {
    expect([
      currencyExponent("USD"),
      currencyExponent("BDT"),
      currencyExponent("JPY"),
      currencyExponent("KWD"),
    ]).to.deep.equal([2, 2, 0, 3]);
  });

  it("converts exactly at par, however large the amount", function () {
    expect(minorToTokenUnits(1_234n, "USD", 6)).to.equal(12_340_000n);
    expect(minorToTokenUnits(1n, "USD", 18)).to.equal(10n ** 16n);
    expect(minorToTokenUnits(9_007_199_254_740_993n, "USD", 18)).to.equal(9_007_199_254_740_993n * 10n ** 16n);
    expect(minorToTokenUnits(500n, "JPY", 6)).to.equal(500_000_000n);
    expect(minorToTokenUnits(1_200n, "USD", 0)).to.equal(12n);
  });

  it("refuses an amount the token cannot express rather than rounding it", function () {
    expect(() => minorToTokenUnits(1_234n, "USD", 0)).to.throw(RangeError, /cannot be paid exactly/);
  });
});
