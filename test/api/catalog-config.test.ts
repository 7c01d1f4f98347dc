import { expect } from "chai";

import { ApiConfigError, loadApiConfig } from "../../api/src/config.js";

const VALID = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/agridao",
  CHAIN_ID: "31337",
  CHAIN_RPC_URL: "http://127.0.0.1:8545",
};

describe("API catalog configuration", function () {
  it("defaults to USD prices, 10 MB photos served from /api/photos and a one-minute list cache", function () {
    const config = loadApiConfig(VALID);
    expect(config.shopCurrency).to.equal("USD");
    expect(config.photoMaxSize).to.deep.equal({ text: "10mb", bytes: 10 * 1024 * 1024 });
    expect(config.photoBaseUrl).to.equal("/api/photos");
    expect(config.catalogCacheTtlMs).to.equal(60_000);
  });

  it("reads the shop currency, photo limit and a CDN base URL without its trailing slash", function () {
    const config = loadApiConfig({
      ...VALID,
      SHOP_CURRENCY: "BDT",
      PHOTO_MAX_SIZE: "512kb",
      PHOTO_BASE_URL: "https://cdn.example/photos/",
      CATALOG_CACHE_TTL_SECONDS: "5",
    });
    expect(config.shopCurrency).to.equal("BDT");
    expect(config.photoMaxSize.bytes).to.equal(512 * 1024);
    expect(config.photoBaseUrl).to.equal("https://cdn.example/photos");
    expect(config.catalogCacheTtlMs).to.equal(5_000);
  });

  it("names each malformed catalog setting", function () {
    let problems: string[] = [];
    try {
      loadApiConfig({
        ...VALID,
        SHOP_CURRENCY: "usd",
        PHOTO_MAX_SIZE: "ten megs",
        PHOTO_BASE_URL: "photos",
        CATALOG_CACHE_TTL_SECONDS: "0",
      });
    } catch (error) {
      expect(error).to.be.instanceOf(ApiConfigError);
      problems = (error as ApiConfigError).problems;
    }
    expect(problems.map((problem) => problem.split(":")[0])).to.have.members([
      "SHOP_CURRENCY",
      "PHOTO_MAX_SIZE",
      "PHOTO_BASE_URL",
      "CATALOG_CACHE_TTL_SECONDS",
    ]);
  });

  it("keeps dispute evidence photos out of UPLOAD_DIR, for 180 days after a dispute closes unless told otherwise", function () {
    const config = loadApiConfig({
      ...VALID,
      UPLOAD_DIR: "/srv/agridao/uploads",
      EVIDENCE_DIR: "/srv/agridao/evidence",
    });
    expect(config.disputes.evidenceDir).to.equal("/srv/agridao/evidence");
    expect(config.disputes.evidenceRetentionMs).to.equal(180 * 86_400_000);
    expect(loadApiConfig({ ...VALID, DISPUTE_EVIDENCE_RETENTION_DAYS: "30" }).disputes.evidenceRetentionMs).to.equal(
      30 * 86_400_000,
    );
    for (const [uploads, evidence] of [
      ["/srv/agridao/uploads", "/srv/agridao/uploads/evidence"],
      ["/srv/agridao/uploads", "/srv/agridao/uploads/"],
      ["/srv/agridao/evidence/uploads", "/srv/agridao/evidence"],
    ]) {
      let problems: string[] = [];
      try {
        loadApiConfig({ ...VALID, UPLOAD_DIR: uploads, EVIDENCE_DIR: evidence, DISPUTE_EVIDENCE_RETENTION_DAYS: "0" });
      } catch (error) {
        problems = (error as ApiConfigError).problems;
      }
      expect(problems.map((problem) => problem.split(":")[0])).to.have.members([
        "EVIDENCE_DIR",
        "DISPUTE_EVIDENCE_RETENTION_DAYS",
      ]);
    }
  });
});
