import type { EntityManager } from "@mikro-orm/postgresql";

import type { PhotoStore } from "../photos/photo-store.js";

/** Where evidence photos live: their own store, and the public one for photos stored before it existed. */
export interface EvidencePhotoStores {
  evidenceStore: PhotoStore;
  publicStore: PhotoStore;
}

/** Rows per transaction: their locks are held while their files are deleted. */
const BATCH_SIZE = 50;

/**
 * Deletes the files of evidence photos marked removed (`photo_removed_at`), then forgets their keys; `uploaderId`
 * limits it to one uploader's photos. Marking and deleting are two steps so a crash in between loses nothing: the
 * evidence photo job finishes what is left. Safe beside other processes (FOR UPDATE SKIP LOCKED). Resolves with how
 * many photos it deleted.
 */
export async function deleteRemovedEvidencePhotos(
  fork: () => EntityManager,
  stores: EvidencePhotoStores,
  options: { uploaderId?: string } = {},
): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await fork().transactional(async (tx) => {
      const rows = await tx.execute<{ id: string; photo_key: string; photo_in_public_store: boolean }[]>(
        `SELECT id, photo_key, photo_in_public_store FROM dispute_evidence
          WHERE photo_removed_at IS NOT NULL AND photo_key IS NOT NULL
            ${options.uploaderId === undefined ? "" : "AND uploader_id = ?"}
          ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
        options.uploaderId === undefined ? [BATCH_SIZE] : [options.uploaderId, BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
      for (const row of rows) {
        await stores.evidenceStore.delete(row.photo_key);
        if (row.photo_in_public_store) await stores.publicStore.delete(row.photo_key);
      }
      await tx.execute("UPDATE dispute_evidence SET photo_key = NULL, photo_in_public_store = false WHERE id IN (?)", [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
    total += deleted;
    if (deleted < BATCH_SIZE) return total;
  }
}
