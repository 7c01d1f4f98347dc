import { expect } from "chai";

import { createLogger, redactSecrets } from "../../api/src/logger.js";

describe("API log redaction", function () {
  it("censors secret fields at the top level and two objects down, and no deeper", function () {
    const logged = redactSecrets({
      token: "t0",
      body: { password: "p1", name: "Rahim", nested: { secret: "s2", deeper: { refreshToken: "kept-at-depth-4" } } },
    });
    expect(logged).to.deep.equal({
      token: "[Redacted]",
      body: {
        password: "[Redacted]",
        name: "Rahim",
        nested: { secret: "[Redacted]", deeper: { refreshToken: "kept-at-depth-4" } },
      },
    });
  });

  it("censors credential headers only inside a headers object", function () {
    const logged = redactSecrets({
      headers: { authorization: "Bearer x", cookie: "a=b", "set-cookie": "c=d", accept: "application/json" },
      req: { headers: { authorization: "Bearer y" } },
      authorization: "not a header here",
    });
    expect(logged).to.deep.equal({
      headers: {
        authorization: "[Redacted]",
        cookie: "[Redacted]",
        "set-cookie": "[Redacted]",
        accept: "application/json",
      },
      req: { headers: { authorization: "[Redacted]" } },
      authorization: "not a header here",
    });
  });

  it("copies what it censors and returns clean objects untouched", function () {
    const body = { password: "p" };
    const items = [{ signature: "0xsig" }, { quantity: 1 }];
    const input = { body, items, other: { fine: true } };
    const logged = redactSecrets(input);
    expect(body.password).to.equal("p");
    expect(items[0].signature).to.equal("0xsig");
    expect(logged.body).to.deep.equal({ password: "[Redacted]" });
    expect(logged.items).to.deep.equal([{ signature: "[Redacted]" }, { quantity: 1 }]);
    expect(logged.other).to.equal(input.other);
    const clean = { method: "GET", status: 200 };
    expect(redactSecrets(clean)).to.equal(clean);
  });

  it("writes redacted JSON lines and keeps errors whole", function () {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({
      level: "info",
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    log.child({ requestId: "r-1" }).error({ err: new Error("boom"), password: "hunter2" }, "failed");
    expect(lines[0]).to.include({ requestId: "r-1", password: "[Redacted]", msg: "failed" });
    expect(lines[0].err).to.include({ message: "boom", type: "Error" });
  });
});
