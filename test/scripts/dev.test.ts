import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Contract, JsonRpcProvider, id } from "ethers";
import pg from "pg";

import { LOCAL_ROLES, LOCAL_VOTER_AGRI } from "../../deploy/local.js";
import { DEPLOYMENTS_DIR, GENERATED_FILE } from "../../scripts/export-contracts.js";
import { LOCAL_BUYER_USDC } from "../../scripts/fund-local-accounts.js";
import { freePort } from "../support/free-port.js";

describe("npm run dev (the local stack)", function () {
  this.timeout(180_000);

  it("deploys, funds the local accounts, indexes into an embedded PostgreSQL, and stops cleanly on Ctrl-C", async () => {
    const deploymentsBefore = (await readdir(DEPLOYMENTS_DIR).catch(() => [])).sort();
    const port = await freePort();
    const postgresPort = await freePort();
    const indexerPort = await freePort();
    const apiPort = await freePort();
    const webPort = await freePort();
    const dataDir = await mkdtemp(path.join(tmpdir(), "agridao-dev-"));
    // As root the embedded server runs as the `postgres` user, which must reach the data directory.
    await chmod(dataDir, 0o755);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AGRIDAO_CHAIN_PORT: String(port),
      AGRIDAO_POSTGRES_PORT: String(postgresPort),
      AGRIDAO_DATA_DIR: dataDir,
      INDEXER_HTTP_PORT: String(indexerPort),
      API_PORT: String(apiPort),
      WEB_PORT: String(webPort),
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const child = spawn("npm", ["run", "--silent", "dev"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so the test can send Ctrl-C the way a terminal does: to npm and everything under it.
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on("close", (code, signal) => resolve(signal ?? code)),
    );

    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes("The stack is up")) resolve();
        };
        child.stdout.on("data", check);
        child.stderr.on("data", check);
        void exited.then((code) => reject(new Error(`npm run dev exited early with ${code}:\n${output}`)));
      });

      const escrowAddress = /'MarketplaceEscrow'\s*│\s*'(0x[0-9a-fA-F]{40})'/.exec(output)?.[1];
      const usdcAddress = /'MockUSDC'\s*│\s*'(0x[0-9a-fA-F]{40})'/.exec(output)?.[1];
      const tokenAddress = /'AgriToken'\s*│\s*'(0x[0-9a-fA-F]{40})'/.exec(output)?.[1];
      expect(escrowAddress, output).to.be.a("string");

      const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { staticNetwork: true });
      expect((await provider.getNetwork()).chainId).to.equal(31337n);
      expect(await provider.getCode(escrowAddress!)).to.not.equal("0x");

      const accounts = (await provider.send("eth_accounts", [])) as string[];
      const erc20 = [
        "function balanceOf(address) view returns (uint256)",
        "function getVotes(address) view returns (uint256)",
      ];
      const usdc = new Contract(usdcAddress!, erc20, provider);
      const agri = new Contract(tokenAddress!, erc20, provider);
      for (const i of LOCAL_ROLES.buyers) expect(await usdc.balanceOf(accounts[i])).to.equal(LOCAL_BUYER_USDC);
      for (const i of LOCAL_ROLES.voters) expect(await agri.getVotes(accounts[i])).to.equal(LOCAL_VOTER_AGRI);
      // The arbiter the summary names for the dispute queue holds the escrow's ARBITER_ROLE, so its rulings go through.
      const escrow = new Contract(escrowAddress!, ["function hasRole(bytes32, address) view returns (bool)"], provider);
      expect(await escrow.hasRole(id("ARBITER_ROLE"), accounts[LOCAL_ROLES.arbiter])).to.equal(true);
      expect(output).to.include("arbiter and admin: sign in with it for the dispute queue (/arbiter)");
      provider.destroy();

      // The indexer caught up with the deployment and funding before the stack said it was up.
      expect((await fetch(`http://127.0.0.1:${indexerPort}/ready`)).status).to.equal(200);
      expect(output).to.match(/Database: embedded PostgreSQL/);
      // The API migrated the same database and reaches the chain and the indexer.
      expect((await fetch(`http://127.0.0.1:${apiPort}/ready`)).status).to.equal(200);
      const openapi = (await (await fetch(`http://127.0.0.1:${apiPort}/api/openapi.json`)).json()) as {
        openapi: string;
      };
      expect(openapi.openapi).to.match(/^3\.1/);
      // The web app's dev server is up and forwards /api to the API, which has the seeded shop.
      expect(output).to.include(`Web app: http://localhost:${webPort}`);
      const page = await fetch(`http://127.0.0.1:${webPort}/shop`);
      expect(await page.text()).to.include('<div id="root">');
      // It serves the app with this chain's contracts, from the stack's own file in its data directory.
      const walletChain = await (await fetch(`http://127.0.0.1:${webPort}/src/wallet/wallet-chain.ts`)).text();
      const contractsModule = /from "(\/@fs\/[^"]+\/local-chain\/contracts\.ts)"/.exec(walletChain)?.[1];
      expect(contractsModule, "the contracts file wallet-chain.ts imports").to.equal(
        `/@fs${dataDir}/local-chain/contracts.ts`,
      );
      const contracts = await (await fetch(`http://127.0.0.1:${webPort}${contractsModule}`)).text();
      expect(contracts.toLowerCase()).to.include(escrowAddress!.toLowerCase());
      // ... and leaves the shared generated file and Ignition's deployments alone: the build, the tests and every
      // process started later read those, and this chain dies with the stack.
      expect(await readFile(GENERATED_FILE, "utf8")).to.not.include(escrowAddress!);
      expect((await readdir(DEPLOYMENTS_DIR).catch(() => [])).sort()).to.deep.equal(deploymentsBefore);
      const products = (await (await fetch(`http://127.0.0.1:${webPort}/api/products?limit=1`)).json()) as {
        products: unknown[];
      };
      expect(products.products).to.have.length(1);
      const db = new pg.Client({
        connectionString: `postgres://postgres:agridao-dev@127.0.0.1:${postgresPort}/agridao`,
      });
      await db.connect();
      try {
        const { rows } = await db.query<{ account: string; votes: string }>(
          "SELECT account, voting_power::text AS votes FROM indexer.delegates WHERE chain_id = 31337",
        );
        const votes = new Map(rows.map((row) => [row.account.toLowerCase(), BigInt(row.votes)]));
        for (const i of LOCAL_ROLES.voters) expect(votes.get(accounts[i].toLowerCase())).to.equal(LOCAL_VOTER_AGRI);
        // The arbiter's wallet signs in to an account that may rule and see the admin page.
        const { rows: arbiter } = await db.query<{ roles: string[] }>(
          "SELECT u.roles FROM users u JOIN wallets w ON w.user_id = u.id WHERE w.address = $1",
          [accounts[LOCAL_ROLES.arbiter].toLowerCase()],
        );
        expect(arbiter).to.have.length(1);
        expect(arbiter[0].roles).to.include.members(["arbiter", "admin"]);
      } finally {
        await db.end();
      }
    } finally {
      process.kill(-child.pid!, "SIGINT");
    }
    // npm itself dies of the SIGINT, as in a terminal; what matters is that the stack shut down behind it.
    expect(await exited).to.be.oneOf([0, "SIGINT"]);
    expect(output).to.include("Stopping");
    expect(await freePort(port)).to.equal(port);
    expect(await freePort(postgresPort)).to.equal(postgresPort);
    expect(await freePort(indexerPort)).to.equal(indexerPort);
    expect(await freePort(apiPort)).to.equal(apiPort);
    expect(await freePort(webPort)).to.equal(webPort);
    expect((await readdir(dataDir)).sort()).to.deep.equal(["jwt-secret", "local-chain", "postgres", "uploads"]);
    await rm(dataDir, { recursive: true, force: true });
  });
});
