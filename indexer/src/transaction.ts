import type { ClientBase } from "pg";

/** Runs `work` between BEGIN and COMMIT on `client`, rolling back (and rethrowing) if it fails. */
export async function inTransaction<T>(client: ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
