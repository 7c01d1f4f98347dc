import { createHmac, timingSafeEqual } from "node:crypto";

import type { PhotoSize } from "../photos/photo-store.js";

/** How long a link stays valid at least; links are issued per bucket so a page read twice shows the same URLs. */
const LINK_TTL_MS = 15 * 60_000;
const LINK_BUCKET_MS = 5 * 60_000;

export interface EvidencePhotoRef {
  disputeId: string;
  evidenceId: string;
}

export type EvidencePhotoUrls = Record<`${PhotoSize}Url`, string> & { expiresAt: string };

/** A link's parts as a request carries them (query `viewer`, `expires`, `signature`). */
export interface EvidencePhotoLink extends EvidencePhotoRef {
  viewerId: string;
  /** Unix seconds. */
  expires: number;
  signature: string;
}

export interface EvidencePhotoLinks {
  /** Signed URLs of the photo's renditions for `viewerId`, valid until `expiresAt` (15 to 20 minutes from now). */
  urls(ref: EvidencePhotoRef, viewerId: string): EvidencePhotoUrls;
  /** Whether this API signed the link for that evidence and viewer, and it has not expired. */
  verify(link: EvidencePhotoLink): boolean;
}

/**
 * Signed links to evidence photos. A browser shows a photo with <img>, which cannot send the access token, so the
 * dispute's view hands each allowed viewer URLs signed (HMAC-SHA256) over the evidence, the viewer and an expiry. The
 * route checks the signature and still asks whether that viewer may see the dispute now, so a link outliving a
 * revoked role or a deleted account opens nothing. The key is derived from `secret` (the JWT secret), under a label
 * of its own so no link can pass for a token or the other way round.
 */
export function createEvidencePhotoLinks(deps: { secret: Uint8Array; now?: () => Date }): EvidencePhotoLinks {
  const now = deps.now ?? (() => new Date());
  const key = createHmac("sha256", deps.secret).update("agridao dispute evidence links v1").digest();

  function sign(link: Omit<EvidencePhotoLink, "signature">): string {
    return createHmac("sha256", key)
      .update(`${link.disputeId}\n${link.evidenceId}\n${link.viewerId}\n${link.expires}`)
      .digest("base64url");
  }

  return {
    urls(ref, viewerId) {
      const expiresMs = Math.ceil((now().getTime() + LINK_TTL_MS) / LINK_BUCKET_MS) * LINK_BUCKET_MS;
      const expires = expiresMs / 1000;
      const query = new URLSearchParams({
        viewer: viewerId,
        expires: String(expires),
        signature: sign({ ...ref, viewerId, expires }),
      });
      const base = `/api/disputes/${ref.disputeId}/evidence/${ref.evidenceId}`;
      return {
        thumbnailUrl: `${base}/thumbnail.webp?${query.toString()}`,
        displayUrl: `${base}/display.webp?${query.toString()}`,
        expiresAt: new Date(expiresMs).toISOString(),
      };
    },

    verify(link) {
      if (!Number.isSafeInteger(link.expires) || link.expires * 1000 <= now().getTime()) return false;
      const expected = Buffer.from(sign(link));
      const given = Buffer.from(link.signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
