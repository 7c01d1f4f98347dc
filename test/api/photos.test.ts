import { open, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import sharp from "sharp";

import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";
import { createActor, expectError, validationPaths } from "../support/catalog-actors.js";
import type { TestActor } from "../support/catalog-actors.js";

interface PhotoBody {
  id: string;
  position: number;
  width: number;
  height: number;
  thumbnailUrl: string;
  displayUrl: string;
}

/** The first bytes of the running node binary: a real executable, to be passed off as a photo. */
async function executableBytes(): Promise<Buffer> {
  const file = await open(process.execPath, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(16_384), 0, 16_384, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

describe("API product photos", function () {
  let api: ApiTestApp;
  let uploadDir: string;
  let farmer: TestActor;
  let otherFarmer: TestActor;
  let buyer: TestActor;
  let productId: string;

  before(async function () {
    uploadDir = await mkdtemp(path.join(tmpdir(), "agridao-photos-"));
    api = await startApiApp({ env: { UPLOAD_DIR: uploadDir, PHOTO_MAX_SIZE: "300kb" } });
    farmer = await createActor(api, ["farmer"]);
    otherFarmer = await createActor(api, ["farmer"]);
    buyer = await createActor(api, ["buyer"]);
    expect(
      (await api.request("/api/farms", farmer.json("POST", { name: "Meghna Dairy", region: "Comilla" }))).status,
    ).to.equal(201);
    const product = await api.request(
      "/api/products",
      farmer.json("POST", {
        name: "Buffalo yoghurt",
        category: "dairy",
        unit: "piece",
        priceMinor: 250,
        stock: 30,
        status: "active",
      }),
    );
    productId = ((await product.json()) as { id: string }).id;
  });

  after(async function () {
    await api?.close();
    await rm(uploadDir, { recursive: true, force: true });
  });

  const upload = (
    actor: TestActor | undefined,
    bytes: Buffer,
    fileName = "photo.jpg",
    type = "image/jpeg",
    id = productId,
  ) => {
    const form = new FormData();
    form.append("photo", new Blob([new Uint8Array(bytes)], { type }), fileName);
    return api.request(`/api/products/${id}/photos`, { method: "POST", headers: actor?.headers, body: form });
  };

  const fetchImage = async (url: string) => {
    const response = await api.request(url);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("image/webp");
    expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
    return sharp(Buffer.from(await response.arrayBuffer())).metadata();
  };

  it("re-encodes a JPEG to WebP in two sizes, applying its orientation and dropping EXIF", async function () {
    // Stored landscape (2000×1500) with EXIF orientation 6: shown as portrait 1500×2000.
    const jpeg = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: "#d94f30" } })
      .jpeg()
      .withExif({ IFD0: { Copyright: "secret GPS farm", Make: "Phone" } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).to.equal(6);
    const response = await upload(farmer, jpeg);
    expect(response.status).to.equal(201);
    const photo = (await response.json()) as PhotoBody;
    expect(photo).to.include({ position: 0, width: 960, height: 1280 });

    const display = await fetchImage(photo.displayUrl);
    expect([display.format, display.width, display.height]).to.deep.equal(["webp", 960, 1280]);
    expect(display.exif).to.equal(undefined);
    expect(display.orientation).to.equal(undefined);
    const thumbnail = await fetchImage(photo.thumbnailUrl);
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).to.deep.equal(["webp", 240, 320]);
  });

  it("never enlarges a small PNG", async function () {
    const png = await sharp({ create: { width: 200, height: 100, channels: 4, background: "#ffffff80" } })
      .png()
      .toBuffer();
    const photo = (await (await upload(farmer, png, "small.png", "image/png")).json()) as PhotoBody;
    expect(photo).to.include({ position: 1, width: 200, height: 100 });
    const thumbnail = await fetchImage(photo.thumbnailUrl);
    expect([thumbnail.width, thumbnail.height]).to.deep.equal([200, 100]);
  });

  it("rejects a renamed executable with 415, whatever its name and declared type", async function () {
    const error = await expectError(
      await upload(farmer, await executableBytes(), "harvest.jpg", "image/jpeg"),
      415,
      "unsupported_media_type",
    );
    expect(error.details).to.deep.equal({ accepted: ["jpeg", "png", "webp"] });
  });

  it("rejects a file over PHOTO_MAX_SIZE with 413 while streaming", async function () {
    const noisy = await sharp({
      create: {
        width: 700,
        height: 700,
        channels: 3,
        background: "#000",
        noise: { type: "gaussian", mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    expect(noisy.length).to.be.greaterThan(300 * 1024);
    const error = await expectError(await upload(farmer, noisy, "big.png", "image/png"), 413, "payload_too_large");
    expect(error.details).to.deep.equal({ limit: "300kb" });
  });

  it("rejects a truncated JPEG and a PNG header over garbage with 422", async function () {
    const jpeg = await sharp({
      create: {
        width: 640,
        height: 480,
        channels: 3,
        background: "#000",
        noise: { type: "gaussian", mean: 100, sigma: 40 },
      },
    })
      .jpeg()
      .toBuffer();
    await expectError(await upload(farmer, jpeg.subarray(0, Math.floor(jpeg.length / 2))), 422, "invalid_image");
    const fakePng = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(2048, 7),
    ]);
    await expectError(await upload(farmer, fakePng, "fake.png", "image/png"), 422, "invalid_image");
  });

  it("refuses a request that is not multipart (415) or lacks the photo field (400)", async function () {
    const json = await api.request(`/api/products/${productId}/photos`, farmer.json("POST", { photo: "x" }));
    await expectError(json, 415, "unsupported_media_type");
    const form = new FormData();
    form.append("picture", new Blob([new Uint8Array(Buffer.from("x"))]), "x.jpg");
    const wrongField = await api.request(`/api/products/${productId}/photos`, {
      method: "POST",
      headers: farmer.headers,
      body: form,
    });
    await expectError(wrongField, 400, "validation_failed");
  });

  it("answers 401, 403 and 404 for uploads by strangers, buyers, other farmers and to unknown products", async function () {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    await expectError(await upload(undefined, png), 401, "unauthorized");
    await expectError(await upload(buyer, png), 403, "forbidden");
    await expectError(await upload(otherFarmer, png), 403, "forbidden");
    await expectError(
      await upload(farmer, png, "a.png", "image/png", "00000000-0000-4000-8000-000000000000"),
      404,
      "not_found",
    );
  });

  it("reorders photos, which changes the cover, for the owner only", async function () {
    const product = (await (await api.request(`/api/products/${productId}`)).json()) as {
      photos: PhotoBody[];
      cover: { displayUrl: string };
    };
    expect(product.photos).to.have.length(2);
    expect(product.cover.displayUrl).to.equal(product.photos[0].displayUrl);
    const reversed = product.photos.map((photo) => photo.id).reverse();

    const path = `/api/products/${productId}/photos/order`;
    await expectError(await api.request(path, otherFarmer.json("PUT", { photoIds: reversed })), 403, "forbidden");
    expect(
      await validationPaths(await api.request(path, farmer.json("PUT", { photoIds: [reversed[0]] }))),
    ).to.deep.equal(["body.photoIds"]);
    expect(
      await validationPaths(await api.request(path, farmer.json("PUT", { photoIds: [reversed[0], reversed[0]] }))),
    ).to.deep.equal(["body.photoIds"]);
    const response = await api.request(path, farmer.json("PUT", { photoIds: reversed }));
    expect(response.status).to.equal(200);
    expect(
      ((await response.json()) as { photos: PhotoBody[] }).photos.map((photo) => [photo.id, photo.position]),
    ).to.deep.equal([
      [reversed[0], 0],
      [reversed[1], 1],
    ]);
    const after = (await (await api.request(`/api/products/${productId}`)).json()) as { cover: { displayUrl: string } };
    expect(after.cover.displayUrl).to.equal(product.photos[1].displayUrl);
    const listed = (await (await api.request("/api/products")).json()) as {
      products: { cover: { displayUrl: string } }[];
    };
    expect(listed.products[0].cover.displayUrl).to.equal(product.photos[1].displayUrl);
  });

  it("deletes a photo with its files and closes the gap in the order", async function () {
    const product = (await (await api.request(`/api/products/${productId}`)).json()) as { photos: PhotoBody[] };
    const [first, second] = product.photos;
    await expectError(
      await api.request(`/api/products/${productId}/photos/${first.id}`, {
        method: "DELETE",
        headers: otherFarmer.headers,
      }),
      403,
      "forbidden",
    );
    await expectError(
      await api.request(`/api/products/${productId}/photos/00000000-0000-4000-8000-000000000000`, {
        method: "DELETE",
        headers: farmer.headers,
      }),
      404,
      "not_found",
    );
    const response = await api.request(`/api/products/${productId}/photos/${first.id}`, {
      method: "DELETE",
      headers: farmer.headers,
    });
    expect(response.status).to.equal(204);
    await expectError(await api.request(first.displayUrl), 404, "not_found");
    const after = (await (await api.request(`/api/products/${productId}`)).json()) as { photos: PhotoBody[] };
    expect(after.photos.map((photo) => [photo.id, photo.position])).to.deep.equal([[second.id, 0]]);
    const folders = (await readdir(uploadDir, { recursive: true })).filter((entry) => entry.endsWith("display.webp"));
    expect(folders).to.have.length(1);
  });

  it("answers 404 for photo files that do not exist or are not photo keys", async function () {
    await expectError(await api.request(`/api/photos/${"ab".repeat(16)}/display.webp`), 404, "not_found");
    await expectError(await api.request(`/api/photos/..%2F..%2Fetc/display.webp`), 404, "not_found");
    await expectError(await api.request(`/api/photos/${"ab".repeat(16)}/original.webp`), 404, "not_found");
  });
});
