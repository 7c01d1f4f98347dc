import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";

/**
 * `npm test`: builds, then runs every suite and closes with one line that totals them all, `N passed, N failed`,
 * which is what CI reads. A suite that crashes without a summary, or reports a pending (skipped) test, fails the run.
 */
interface Suite {
  name: string;
  command: string[];
  /** Whether the suite prints mocha-style "N passing" / "N failing" lines to count. */
  counted: boolean;
  env?: Record<string, string>;
}

const hardhat = "./node_modules/.bin/hardhat";
const suites: Suite[] = [
  { name: "build", command: ["npm", "run", "--silent", "build"], counted: false },
  // The ci profile (5,000 fuzz runs, 256 x 500 invariant runs, fixed seed) is the only one the gas snapshot
  // matches, since fuzz tests record median gas over their runs.
  {
    name: "solidity",
    command: [hardhat, "test", "solidity", "--no-compile", "--snapshot-check"],
    env: { SOLIDITY_TEST_PROFILE: "ci" },
    counted: true,
  },
  { name: "mocha", command: [hardhat, "test", "mocha", "--no-compile"], counted: true },
];

let passed = 0;
let failed = 0;
const problems: string[] = [];

for (const suite of suites) {
  console.log(`\n=== ${suite.name}: ${suite.command.join(" ")}`);
  const { code, output } = await run(suite.command, suite.env);
  if (!suite.counted) {
    if (code !== 0) {
      problems.push(`${suite.name} exited with ${code}`);
      break;
    }
    continue;
  }
  const plain = stripVTControlCharacters(output);
  const passing = sumMatches(plain, /^\s*(\d+) passing\b/gm);
  const failing = sumMatches(plain, /^\s*(\d+) failing\b/gm);
  const pending = sumMatches(plain, /^\s*(\d+) (?:pending|skipped)\b/gm);
  passed += passing;
  failed += failing + pending;
  if (pending > 0) problems.push(`${suite.name}: ${pending} skipped test(s) — a skipped test is a defect`);
  if (code !== 0 && failing === 0) {
    failed += 1;
    problems.push(`${suite.name} exited with ${code} without reporting a failing test`);
  }
  if (code === 0 && passing === 0) {
    failed += 1;
    problems.push(`${suite.name} ran no test`);
  }
}

for (const problem of problems) console.log(`! ${problem}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && problems.length === 0 ? 0 : 1;

function run(command: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let output = "";
    const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on("data", forward(process.stdout));
    child.stderr.on("data", forward(process.stderr));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function sumMatches(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
}
