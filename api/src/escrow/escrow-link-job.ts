import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "pino";

import { announceChannel, announcement } from "../../../protocol/announcement.js";
import type { IndexerAnnouncements } from "../notifications/indexer-announcements.js";
import type { PubSub, Unsubscribe } from "../stores/store.js";
import type { EscrowOrderLinker } from "./escrow-order-linker.js";

export interface EscrowLinkJob {
  /** Runs the linker now (or joins the run in progress). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the escrow linker whenever the indexer announces new blocks, and every `intervalMs` regardless, since an
 * announcement can be missed (pub/sub is fire-and-forget, the in-process store hears none). Runs never overlap in one
 * process; across processes the linker's row locks and unique source keys make concurrent runs record things once.
 * Announcements come from the process's IndexerAnnouncements when given (one connection for the whole process, and it
 * says `resync` after a reconnect, when a reorg may have gone unheard); else from a subscription of its own.
 */
export function startEscrowLinkJob(deps: {
  linker: EscrowOrderLinker;
  fork: () => EntityManager;
  pubSub: PubSub;
  announcements?: Pick<IndexerAnnouncements, "onAnnouncement">;
  chainId: number;
  intervalMs: number;
  log: Logger;
}): EscrowLinkJob {
  let running: Promise<void> | undefined;
  let again = false;
  // Set by a reorg announcement (and at start, for one missed while no process ran): undo what the chain took back.
  let reorged = true;

  async function run(): Promise<void> {
    do {
      again = false;
      if (reorged) {
        reorged = false;
        const changed = await deps.linker.reconcileReorg(deps.fork());
        if (changed > 0) deps.log.warn({ changed }, "a chain reorganization changed orders");
      }
      const report = await deps.linker.linkOnce(deps.fork());
      if (report.paid + report.flagged + report.transitions > 0) deps.log.info(report, "linked indexed escrow orders");
    } while (again);
  }

  function runOnce(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = run().finally(() => (running = undefined));
    return running;
  }

  const trigger = () => {
    runOnce().catch((error: unknown) => deps.log.error({ err: error }, "escrow linking failed"));
  };
  const timer = setInterval(trigger, deps.intervalMs);
  timer.unref();
  // The store adds its own prefix to channels: its default, `agridao:`, is the one the indexer's channel starts with.
  const channel = announceChannel(deps.chainId).replace(/^agridao:/, "");
  const onAnnouncement = (message: string) => {
    if (isReorg(message)) reorged = true;
    trigger();
  };
  const subscribed: Promise<Unsubscribe | undefined> =
    deps.announcements === undefined
      ? deps.pubSub.subscribe(channel, onAnnouncement).catch((error: unknown) => {
          deps.log.warn(
            { err: error },
            "escrow orders will be linked by the periodic sweep only: pub/sub is unavailable",
          );
          return undefined;
        })
      : Promise.resolve(
          deps.announcements.onAnnouncement((event) => {
            if (event.chainId !== deps.chainId) return;
            // After a resync, announcements were lost: a reorg among them must still be undone.
            if (event.type === "reorg" || event.type === "resync") reorged = true;
            trigger();
          }),
        ).then((remove) => () => Promise.resolve(remove()));

  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      const unsubscribe = await subscribed;
      await unsubscribe?.();
      await running?.catch(() => undefined);
    },
  };
}

/** Whether an indexer announcement (protocol/announcement.ts) reports a reorganization. */
function isReorg(message: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return false;
  }
  const parsed = announcement.safeParse(json);
  return parsed.success && parsed.data.type === "reorg";
}
