import type { EntityManager } from "@mikro-orm/postgresql";

/** The id of the farm `ownerId` owns, if any (an account owns at most one). */
export async function farmIdOfOwner(em: EntityManager, ownerId: string): Promise<string | undefined> {
  const [farm] = await em.execute<{ id: string }[]>("SELECT id FROM farms WHERE owner_id = ?", [ownerId]);
  return farm?.id;
}
