import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { parse } from "yaml";

const run = promisify(execFile);

const DEVELOPMENT = path.resolve("docker-compose.yml");
const PRODUCTION = path.resolve("docker-compose.prod.yml");
const ENV_EXAMPLES = path.resolve("deploy", "compose");

interface Service {
  image?: string;
  build?: unknown;
  volumes?: (string | { type: string; source?: string })[];
  restart?: string;
  read_only?: boolean;
  cap_drop?: string[];
  env_file?: string | string[];
  environment?: Record<string, string> | string[];
  deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string } } };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/**
 * `docker-compose config` (Debian's docker-compose, which validates a file against the Compose schema without any
 * Docker engine): resolves the file as Compose would run it, or rejects with Compose's own message.
 */
async function composeConfig(
  file: string,
  options: { projectDirectory?: string; env?: Record<string, string>; quiet?: boolean } = {},
): Promise<string> {
  const args = ["-f", file];
  if (options.projectDirectory !== undefined) args.push("--project-directory", options.projectDirectory);
  args.push("config");
  if (options.quiet === true) args.push("-q");
  try {
    const { stdout } = await run("docker-compose", args, { env: { ...process.env, ...options.env } });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === "ENOENT") {
      throw new Error("docker-compose is missing: apt-get install docker-compose (.ci/run does)", { cause: error });
    }
    throw new Error(`docker-compose config failed: ${failure.stderr ?? failure.message}`, { cause: error });
  }
}

describe("Compose files (docker-compose.yml, docker-compose.prod.yml)", () => {
  let project: string;

  before(async () => {
    // The production file's env files are the operator's (never committed): a project folder with the examples.
    project = await mkdtemp(path.join(tmpdir(), "agridao-compose-"));
    await mkdir(path.join(project, "deploy", "compose"), { recursive: true });
    for (const example of (await readdir(ENV_EXAMPLES)).filter((file) => file.endsWith(".env.example"))) {
      await copyFile(
        path.join(ENV_EXAMPLES, example),
        path.join(project, "deploy", "compose", example.replace(/\.example$/, "")),
      );
    }
  });

  after(() => rm(project, { recursive: true, force: true }));

  const production = (env: Record<string, string> = { AGRIDAO_VERSION: "1.2.3" }) =>
    composeConfig(PRODUCTION, { projectDirectory: project, env });

  it("the development file passes docker-compose's validation", async () => {
    expect(await composeConfig(DEVELOPMENT, { quiet: true })).to.equal("");
  });

  it("the production file passes docker-compose's validation once its env files exist", async () => {
    expect(
      await composeConfig(PRODUCTION, { projectDirectory: project, quiet: true, env: { AGRIDAO_VERSION: "1" } }),
    ).to.equal("");
  });

  it("the production file names what is missing: the images' tag, an env file", async () => {
    const withoutTag = await production({}).then(String, (error: Error) => error.message);
    expect(withoutTag).to.contain("set AGRIDAO_VERSION to the tag of the images to run");
    const empty = await mkdtemp(path.join(tmpdir(), "agridao-compose-empty-"));
    try {
      const withoutEnvFiles = await composeConfig(PRODUCTION, {
        projectDirectory: empty,
        env: { AGRIDAO_VERSION: "1" },
      }).then(String, (error: Error) => error.message);
      expect(withoutEnvFiles).to.match(/Couldn't find env file: .*deploy\/compose\/\w+\.env/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("docker-compose's validation refuses what Compose could not run (a wrong type, an unknown condition)", async () => {
    const original = await readFile(PRODUCTION, "utf8");
    for (const [from, to, complaint] of [
      ["condition: service_completed_successfully", "condition: service_finished", /service_finished/],
      ["replicas: 2", "replicas: two", /replicas/],
    ] as const) {
      expect(original).to.contain(from);
      const broken = path.join(project, "broken.yml");
      await writeFile(broken, original.replace(from, to));
      const message = await composeConfig(broken, { projectDirectory: project, env: { AGRIDAO_VERSION: "1" } }).then(
        () => "accepted",
        (error: Error) => error.message,
      );
      expect(message).to.match(complaint);
    }
  });

  it("runs images only, with no source mounted, restart policies and resource limits for every service", async () => {
    const config = parse(await production()) as ComposeFile;
    const named = new Set(Object.keys(config.volumes ?? {}));
    for (const [name, service] of Object.entries(config.services)) {
      expect(service.image, name).to.be.a("string");
      expect(service.build, name).to.equal(undefined);
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === "string" ? volume.split(":")[0] : volume.source;
        expect(named, `${name} mounts ${source}`).to.include(source);
      }
      expect(service.restart, name).to.equal(name === "migrate" ? "no" : "unless-stopped");
      expect(service.deploy?.resources?.limits, name).to.have.keys("cpus", "memory");
    }
    for (const name of ["migrate", "api", "indexer", "web"]) {
      const service = config.services[name];
      expect(service.image, name).to.match(new RegExp(`/(server|web):1\\.2\\.3$`));
      expect(service.read_only, name).to.equal(true);
      expect(service.cap_drop, name).to.deep.equal(["ALL"]);
    }
  });

  it("takes every secret from the env files, never from the compose file itself", async () => {
    const raw = parse(await readFile(PRODUCTION, "utf8")) as ComposeFile;
    for (const [name, service] of Object.entries(raw.services)) {
      const keys = Object.keys(service.environment ?? {});
      expect(
        keys.filter((key) => /SECRET|PASSWORD|PRIVATE_KEY|DATABASE_URL|RPC_URL/.test(key)),
        name,
      ).to.deep.equal([]);
    }
    for (const name of ["postgres", "migrate", "api", "indexer"]) {
      expect(raw.services[name].env_file, name).to.match(/^deploy\/compose\/\w+\.env$/);
    }
    const ignored = await readFile(".gitignore", "utf8");
    expect(ignored.split("\n")).to.include("deploy/compose/*.env");
  });
});
