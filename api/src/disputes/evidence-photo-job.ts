import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { startPeriodicJob } from "../jobs/periodic-job.js";
import { PHOTO_SIZES } from "../photos/photo-store.js";
import type { PhotoSize } from "../photos/photo-store.js";
import { deleteRemovedEvidencePhotos } from "./delete-removed-evidence-photos.js";
import type { EvidencePhotoStores } from "./delete-removed-evidence-photos.js";

/** Photos moved per transaction: their rows stay locked while their files are copied. */
const MOVE_BATCH_SIZE = 20;

export interface EvidencePhotoRun {
  /** Photos moved out of the public photo store (stored before evidence had a store of its own). */
  moved: number;
  /** Photos whose dispute closed longer ago than the retention, marked removed in this run. */
  expired: number;
  /** Removed photos whose files were deleted in this run (expired ones, and those of deleted accounts). */
  deleted: number;
}

export interface EvidencePhotoJob {
  runOnce(): Promise<EvidencePhotoRun>;
  stop(): Promise<void>;
}

/**
 * Keeps dispute evidence photos private and no older than they need to be, every `intervalMs`: moves any photo still
 * in the public photo store to the evidence store, marks removed the photos of disputes closed more than
 * `retentionMs` ago, and deletes the files of every removed photo. Safe beside other API processes: rows are claimed
 * with FOR UPDATE SKIP LOCKED, and each step can be repeated after a crash.
 */
export function startEvidencePhotoJob(deps: {
  fork: () => EntityManager;
  stores: EvidencePhotoStores;
  retentionMs: number;
  intervalMs: number;
  log: Logger;
  now?: () => Date;
  schedule?: boolean;
}): EvidencePhotoJob {
  const now = deps.now ?? (() => new Date());
  const { evidenceStore, publicStore } = deps.stores;

  /**
   * Copies the renditions, deletes the public ones, then clears the flag: once the flag is clear nothing is public.
   * After a crash between the deletion and the commit, the next run finds the public files gone and clears it.
   */
  async function moveBatch(): Promise<number> {
    return deps.fork().transactional(async (tx) => {
      const rows = await tx.execute<{ id: string; photo_key: string }[]>(
        `SELECT id, photo_key FROM dispute_evidence
          WHERE photo_in_public_store AND photo_key IS NOT NULL AND photo_removed_at IS NULL
          ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
        [MOVE_BATCH_SIZE],
      );
      if (rows.length === 0) return 0;
      for (const { photo_key: key } of rows) {
        const renditions: Partial<Record<PhotoSize, Buffer>> = {};
        for (const size of PHOTO_SIZES) renditions[size] = await publicStore.get(key, size);
        if (PHOTO_SIZES.every((size) => renditions[size] !== undefined)) {
          await evidenceStore.put(key, renditions as Record<PhotoSize, Buffer>);
        }
        await publicStore.delete(key);
      }
      await tx.execute("UPDATE dispute_evidence SET photo_in_public_store = false WHERE id IN (?)", [
        rows.map((row) => row.id),
      ]);
      return rows.length;
    });
  }

  async function run(): Promise<EvidencePhotoRun> {
    let moved = 0;
    for (;;) {
      const batch = await moveBatch();
      moved += batch;
      if (batch < MOVE_BATCH_SIZE) break;
    }
    const at = now();
    const expired = await deps.fork().execute<{ id: string }[]>(
      `UPDATE dispute_evidence e SET photo_removed_at = ?
         FROM disputes d
        WHERE d.id = e.dispute_id AND e.kind = 'photo' AND e.photo_removed_at IS NULL
          AND d.status <> 'open' AND COALESCE(d.resolved_at, d.opened_at) <= ?
        RETURNING e.id`,
      [at, new Date(at.getTime() - deps.retentionMs)],
    );
    const deleted = await deleteRemovedEvidencePhotos(deps.fork, deps.stores);
    const result = { moved, expired: expired.length, deleted };
    if (moved + result.expired + deleted > 0) deps.log.info(result, "dispute evidence photos moved or deleted");
    return result;
  }

  return startPeriodicJob({
    run,
    intervalMs: deps.intervalMs,
    schedule: deps.schedule,
    onError: (error) => deps.log.error({ err: error }, "dispute evidence photo job failed"),
  });
}
