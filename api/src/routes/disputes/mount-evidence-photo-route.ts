import type { Router } from "@koa/router";
import type { EntityManager } from "@mikro-orm/postgresql";
import { z } from "zod";

import type { DisputeService } from "../../disputes/dispute-service.js";
import type { EvidencePhotoLinks } from "../../disputes/evidence-photo-links.js";
import { User } from "../../entities/User.js";
import { NotFoundError } from "../../errors.js";
import type { ApiState } from "../../http/api-context.js";
import { PHOTO_SIZES } from "../../photos/photo-store.js";
import type { PhotoStore } from "../../photos/photo-store.js";

export const EVIDENCE_PHOTO_PATH = "/api/disputes/:id/evidence/:evidenceId/:size.webp";

const link = z.object({
  id: z.uuid(),
  evidenceId: z.string().regex(/^[1-9][0-9]{0,15}$/),
  size: z.enum(PHOTO_SIZES),
  viewer: z.uuid(),
  expires: z.coerce.number().int(),
  signature: z.string().min(1).max(100),
});

/**
 * Serves a dispute's evidence photo through a link the dispute's view signed for one viewer (see
 * evidence-photo-links.ts): only while the link is valid, and only if that viewer's account still exists and may see
 * the dispute now (its two parties, arbiters and admins). Anything else is 404, whatever failed. Only the viewer's
 * browser may keep the image (`private`), until the link expires; shared caches and CDNs never do.
 */
export function mountEvidencePhotoRoute(
  router: Router<ApiState>,
  deps: {
    disputes: DisputeService;
    links: EvidencePhotoLinks;
    evidenceStore: PhotoStore;
    /** Where evidence photos stored before the evidence store existed stay until the evidence photo job moves them. */
    publicStore: PhotoStore;
    forkEntityManager: () => EntityManager;
    now?: () => Date;
  },
): void {
  const now = deps.now ?? (() => new Date());
  router.get(EVIDENCE_PHOTO_PATH, async (ctx) => {
    ctx.state.routePattern = EVIDENCE_PHOTO_PATH;
    const notFound = new NotFoundError("No evidence photo here, or the link is not valid (any more)");
    const parsed = link.safeParse({ ...ctx.params, ...ctx.query });
    if (!parsed.success) throw notFound;
    const { id: disputeId, evidenceId, size, viewer, expires, signature } = parsed.data;
    if (!deps.links.verify({ disputeId, evidenceId, viewerId: viewer, expires, signature })) throw notFound;

    const em = deps.forkEntityManager();
    const account = await em.findOne(User, { id: viewer, deletedAt: null });
    if (account === null) throw notFound;
    const { photoKey, inPublicStore } = await deps.disputes.evidencePhoto(
      em,
      { id: account.id, roles: account.roles },
      disputeId,
      evidenceId,
    );
    const bytes =
      (await deps.evidenceStore.get(photoKey, size)) ??
      (inPublicStore ? await deps.publicStore.get(photoKey, size) : undefined);
    if (bytes === undefined) throw notFound;
    ctx.type = "image/webp";
    const maxAge = Math.max(0, Math.floor(expires - now().getTime() / 1000));
    ctx.set("Cache-Control", `private, max-age=${maxAge}`);
    ctx.set("Referrer-Policy", "no-referrer");
    ctx.body = bytes;
  });
}
