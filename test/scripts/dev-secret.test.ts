import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { loadOrCreateDevSecret } from "../../scripts/dev-secret.js";

describe("dev-secret (secrets the dev stack keeps between runs)", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "agridao-secret-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a long random secret readable only by its owner, and returns the same one next time", async () => {
    const file = path.join(dir, "nested", "jwt-secret");
    const first = await loadOrCreateDevSecret(file);
    expect(first).to.have.length.greaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(await loadOrCreateDevSecret(file)).to.equal(first);
    expect(await loadOrCreateDevSecret(path.join(dir, "other"))).to.not.equal(first);
  });

  it("replaces a file too short to be a secret", async () => {
    const file = path.join(dir, "jwt-secret");
    await writeFile(file, "short\n");
    const secret = await loadOrCreateDevSecret(file);
    expect(secret).to.have.length.greaterThanOrEqual(32);
    expect(secret).to.not.equal("short");
  });
});
