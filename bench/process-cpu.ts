import { readFile } from "node:fs/promises";

// Linux reports utime and stime in clock ticks; USER_HZ is 100 on every architecture Node supports.
const TICKS_PER_SECOND = 100;

/**
 * The CPU time (user + system, in milliseconds) a process has used so far, from /proc. Throughput moves with
 * whatever else the machine runs; CPU per request is what the server itself spends, so it compares across runs.
 */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000) / TICKS_PER_SECOND;
}
