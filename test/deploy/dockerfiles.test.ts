import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

const run = promisify(execFile);

const DOCKERFILES = ["server", "web"].map((image) => path.resolve("deploy", "docker", `${image}.Dockerfile`));
const LINTER = path.resolve("node_modules", ".bin", "dockerlinter");

interface Finding {
  lineNumber: number;
  code: string;
  message: string;
}

/**
 * Lints `file` with dockerlinter (Buddy's Dockerfile linter: Hadolint-style rules, and ShellCheck on every RUN, from
 * Debian's `shellcheck` package). Resolves its findings; `-e` makes any finding an exit code of 1.
 */
async function lint(file: string): Promise<{ code: number; findings: Finding[] }> {
  // A clean file prints nothing at all, not an empty array.
  const parse = (stdout: string) => (stdout.trim() === "" ? [] : (JSON.parse(stdout) as Finding[]));
  try {
    const { stdout } = await run(LINTER, ["-f", file, "-j", "-e"]);
    return { code: 0, findings: parse(stdout) };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string };
    if (typeof failure.code !== "number" || failure.stdout === undefined || failure.stdout === "") throw error;
    return { code: failure.code, findings: parse(failure.stdout) };
  }
}

/** The instructions of each stage of a Dockerfile, by stage name, continuation lines joined. */
function stages(dockerfile: string): Map<string, string[]> {
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const result = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const instruction of instructions) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(instruction);
    if (from !== null) result.set(from[1], (current = []));
    else current?.push(instruction);
  }
  return result;
}

describe("Dockerfiles (deploy/docker)", () => {
  before(async () => {
    await run("shellcheck", ["--version"]).catch((error: unknown) => {
      throw new Error("shellcheck is missing (apt-get install shellcheck): the linter checks RUN lines with it", {
        cause: error,
      });
    });
  });

  for (const file of DOCKERFILES) {
    it(`${path.basename(file)} passes the Dockerfile linter, ShellCheck included`, async () => {
      const { code, findings } = await lint(file);
      expect(findings).to.deep.equal([]);
      expect(code).to.equal(0);
    });
  }

  it("the linter fails a Dockerfile with bad practice and shell mistakes, naming the rules", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "agridao-dockerfile-"));
    try {
      const file = path.join(dir, "Dockerfile");
      await writeFile(file, "FROM debian:latest\nRUN cd /app && rm -rf $TARGET\nRUN apt-get install -y nginx\n");
      const { code, findings } = await lint(file);
      expect(code).to.equal(1);
      const codes = findings.map((finding) => finding.code);
      // Each from another source: a tag rule, ShellCheck's unquoted variable, an apt rule.
      expect(codes).to.include.members(["EF0003", "SC2086", "ER0010"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("each image runs as a numeric non-root user, with a health check, and starts from the same shared stages", async () => {
    const [server, web] = await Promise.all(DOCKERFILES.map(async (file) => stages(await readFile(file, "utf8"))));
    for (const [image, runtime] of [
      ["server", server.get("server")!],
      ["web", web.get("web")!],
    ] as const) {
      const user = runtime.filter((instruction) => instruction.startsWith("USER ")).at(-1);
      expect(user, image).to.match(/^USER [1-9][0-9]*:[1-9][0-9]*$/);
      expect(
        runtime.some((instruction) => instruction.startsWith("HEALTHCHECK ")),
        image,
      ).to.equal(true);
      expect(
        runtime.some((instruction) => instruction.startsWith("CMD [")),
        image,
      ).to.equal(true);
    }
    // A builder that made one image's stages reuses them for the other: the contracts compile once.
    for (const shared of ["dependencies", "contracts"]) expect(web.get(shared)).to.deep.equal(server.get(shared));
  });

  it("the server's runtime stage gets only production dependencies and the bundles", async () => {
    const server = stages(await readFile(DOCKERFILES[0], "utf8"));
    const copies = server
      .get("server")!
      .filter((instruction) => instruction.startsWith("COPY "))
      .map((instruction) => instruction.split(/\s+/));
    expect(copies.map((parts) => [parts[1], parts[2]])).to.deep.equal([
      ["--from=runtime_dependencies", "/app/node_modules"],
      ["--from=bundles", "/app/build/server"],
    ]);
    expect(server.get("runtime_dependencies")).to.include(
      "RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force",
    );
    expect(server.get("bundles")).to.deep.equal(["RUN npm run server:build"]);
  });
});
