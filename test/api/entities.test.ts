import { expect } from "chai";

import { User } from "../../api/src/entities/User.js";
import { Wallet } from "../../api/src/entities/Wallet.js";
import { startApiApp } from "../support/api-app.js";
import type { ApiTestApp } from "../support/api-app.js";

describe("API entities", function () {
  let api: ApiTestApp;

  before(async function () {
    api = await startApiApp();
  });

  after(async function () {
    await api?.close();
  });

  it("match the schema the migrations create, column for column", async function () {
    expect(await api.orm.schema.getUpdateSchemaSQL({ wrap: false })).to.equal("");
  });

  it("store a user with its wallet and read them back", async function () {
    const em = api.orm.em.fork();
    const user = em.create(User, { email: "farmer@example.com", roles: ["buyer", "farmer"] });
    const address = `0x${"1f".repeat(20)}`;
    em.create(Wallet, { address, user, chainId: 31337 });
    await em.flush();

    const read = api.orm.em.fork();
    const wallet = await read.findOneOrFail(Wallet, { address }, { populate: ["user"] });
    expect(wallet.user.id).to.equal(user.id);
    expect(wallet.user.roles).to.deep.equal(["buyer", "farmer"]);
    expect(wallet.user.passwordHash).to.equal(null);
    expect(wallet.linkedAt).to.be.instanceOf(Date);
  });

  it("gives a new user the buyer role", async function () {
    const em = api.orm.em.fork();
    const user = em.create(User, { email: null });
    await em.flush();
    const read = await api.orm.em.fork().findOneOrFail(User, { id: user.id });
    expect(read.roles).to.deep.equal(["buyer"]);
    expect(read.createdAt).to.be.instanceOf(Date);
  });
});
