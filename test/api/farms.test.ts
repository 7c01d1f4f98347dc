import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor, expectError, validationPaths } from "../support/catalog-actors.js";
import type { TestActor } from "../support/catalog-actors.js";

interface FarmBody {
  id: string;
  slug: string;
  name: string;
  region: string;
  description: string;
  payoutWallet: string | null;
  photo: { thumbnailUrl: string; displayUrl: string } | null;
  activeProductsCount?: number;
}

const CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("API farms", function () {
  let api: ApiTestApp;
  let uploadDir: string;
  let farmer: TestActor;
  let otherFarmer: TestActor;
  let buyer: TestActor;

  before(async function () {
    uploadDir = await mkdtemp(path.join(tmpdir(), "agridao-farms-"));
    api = await startApiApp({ env: { UPLOAD_DIR: uploadDir } });
    farmer = await createActor(api, ["buyer", "farmer"]);
    otherFarmer = await createActor(api, ["farmer"]);
    buyer = await createActor(api, ["buyer"]);
  });

  after(async function () {
    await api?.close();
    await rm(uploadDir, { recursive: true, force: true });
  });

  it("creates a farmer's farm with a slug from its name and a lower-cased payout wallet", async function () {
    const response = await api.request(
      "/api/farms",
      farmer.json("POST", {
        name: "Padma Greens & Café",
        region: "Rajshahi",
        description: "Vegetables by the river",
        payoutWallet: CHECKSUMMED,
      }),
    );
    expect(response.status).to.equal(201);
    const farm = (await response.json()) as FarmBody;
    expect(farm).to.include({
      slug: "padma-greens-cafe",
      name: "Padma Greens & Café",
      region: "Rajshahi",
      payoutWallet: CHECKSUMMED.toLowerCase(),
      photo: null,
    });
  });

  it("refuses a second farm for the same farmer with 409", async function () {
    const response = await api.request("/api/farms", farmer.json("POST", { name: "Another", region: "Khulna" }));
    await expectError(response, 409, "conflict");
  });

  it("gives a farm named like an existing one a numbered slug", async function () {
    const response = await api.request(
      "/api/farms",
      otherFarmer.json("POST", { name: "Padma Greens, Café", region: "Pabna" }),
    );
    expect(response.status).to.equal(201);
    expect(((await response.json()) as FarmBody).slug).to.equal("padma-greens-cafe-2");
  });

  it("refuses a payout wallet with a wrong checksum and lists every invalid field", async function () {
    const badChecksum = CHECKSUMMED.replace("C51812dc", "c51812dc");
    const farmless = await createActor(api, ["farmer"]);
    const response = await api.request(
      "/api/farms",
      farmless.json("POST", { name: "", region: "Dhaka", payoutWallet: badChecksum }),
    );
    expect(await validationPaths(response)).to.have.members(["body.name", "body.payoutWallet"]);
  });

  it("answers 401 without a token and 403 for a buyer", async function () {
    await expectError(await api.request("/api/farms", { method: "POST" }), 401, "unauthorized");
    const response = await api.request("/api/farms", buyer.json("POST", { name: "Buyer farm", region: "Dhaka" }));
    await expectError(response, 403, "forbidden");
  });

  it("gives a farmer their own farm, and 404 to a farmer who has none yet", async function () {
    const mine = await api.request("/api/farmer/farm", farmer.json("GET"));
    expect(mine.status).to.equal(200);
    expect(((await mine.json()) as FarmBody).slug).to.equal("padma-greens-cafe");
    const newcomer = await createActor(api, ["farmer"]);
    await expectError(await api.request("/api/farmer/farm", newcomer.json("GET")), 404, "not_found");
    await expectError(await api.request("/api/farmer/farm", buyer.json("GET")), 403, "forbidden");
  });

  it("lets the owner update the farm, keeping its slug", async function () {
    const response = await api.request(
      "/api/farms/padma-greens-cafe",
      farmer.json("PATCH", { name: "Padma Organics", region: "Natore", payoutWallet: null }),
    );
    expect(response.status).to.equal(200);
    expect(await response.json()).to.include({
      slug: "padma-greens-cafe",
      name: "Padma Organics",
      region: "Natore",
      payoutWallet: null,
    });
  });

  it("answers 403 for another farmer's farm and 404 for an unknown one", async function () {
    await expectError(
      await api.request("/api/farms/padma-greens-cafe", otherFarmer.json("PATCH", { name: "Mine now" })),
      403,
      "forbidden",
    );
    await expectError(
      await api.request("/api/farms/no-such-farm", farmer.json("PATCH", { name: "X" })),
      404,
      "not_found",
    );
    expect(
      await validationPaths(await api.request("/api/farms/padma-greens-cafe", farmer.json("PATCH", {}))),
    ).to.deep.equal(["body"]);
  });

  it("shows a farm publicly with its count of active products only", async function () {
    for (const status of ["active", "active", "draft"]) {
      const created = await api.request(
        "/api/products",
        farmer.json("POST", {
          name: `Okra ${status}`,
          category: "vegetables",
          unit: "kg",
          priceMinor: 300,
          stock: 5,
          status,
        }),
      );
      expect(created.status).to.equal(201);
    }
    const response = await api.request("/api/farms/padma-greens-cafe");
    expect(response.status).to.equal(200);
    expect(await response.json()).to.include({ name: "Padma Organics", activeProductsCount: 2 });
    await expectError(await api.request("/api/farms/unknown-farm"), 404, "not_found");
    expect(await validationPaths(await api.request("/api/farms/Not_A_Slug"))).to.deep.equal(["params.slug"]);
  });

  it("lists farms in slug order, page by page, and filters them by region in any case", async function () {
    const first = await api.request("/api/farms?limit=1");
    const page1 = (await first.json()) as { farms: FarmBody[]; nextCursor: string | null };
    expect(page1.farms.map((farm) => farm.slug)).to.deep.equal(["padma-greens-cafe"]);
    const second = await api.request(`/api/farms?limit=1&cursor=${page1.nextCursor}`);
    const page2 = (await second.json()) as { farms: FarmBody[]; nextCursor: string | null };
    expect(page2.farms.map((farm) => farm.slug)).to.deep.equal(["padma-greens-cafe-2"]);
    expect(page2.nextCursor).to.equal(null);

    const natore = (await (await api.request("/api/farms?region=natore")).json()) as { farms: FarmBody[] };
    expect(natore.farms.map((farm) => farm.slug)).to.deep.equal(["padma-greens-cafe"]);
    expect(await validationPaths(await api.request("/api/farms?limit=101"))).to.deep.equal(["query.limit"]);
  });

  it("sets the farm photo for the owner only and serves it as WebP", async function () {
    const sharp = (await import("sharp")).default;
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#3a7d44" } })
      .png()
      .toBuffer();
    const upload = (actor: TestActor) => {
      const form = new FormData();
      form.append("photo", new Blob([new Uint8Array(png)], { type: "image/png" }), "farm.png");
      return api.request("/api/farms/padma-greens-cafe/photo", { method: "PUT", headers: actor.headers, body: form });
    };
    await expectError(await upload(otherFarmer), 403, "forbidden");
    const response = await upload(farmer);
    expect(response.status).to.equal(200);
    const farm = (await response.json()) as FarmBody;
    expect(farm.photo?.displayUrl).to.match(/^\/api\/photos\/[0-9a-f]{32}\/display\.webp$/);
    const image = await api.request(farm.photo!.thumbnailUrl);
    expect(image.headers.get("content-type")).to.equal("image/webp");
    const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([metadata.format, metadata.width, metadata.height]).to.deep.equal(["webp", 320, 240]);
  });
});
