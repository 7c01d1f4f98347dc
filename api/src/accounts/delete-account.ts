import type { EntityManager } from "@mikro-orm/postgresql";

import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { Notification } from "../entities/Notification.js";
import { RefreshToken } from "../entities/RefreshToken.js";
import { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";

/**
 * Deletes an account the way accounting allows: the row stays (orders and payments refer to it) but loses everything
 * personal (email, password, wallets, terms acceptance, notifications), is marked deleted, and every session of it is revoked.
 * The dispute evidence photos it uploaded are marked removed; their files go with deleteRemovedEvidencePhotos, after
 * the commit. The caller must have re-authenticated.
 */
export async function deleteAccount(em: EntityManager, user: User, now: Date): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(
      User,
      { id: user.id },
      { email: null, passwordHash: null, tosAcceptedAt: null, tosVersion: null, deletedAt: now },
    );
    await tx.nativeDelete(Wallet, { user: user.id });
    await tx.nativeDelete(Notification, { user: user.id });
    await tx.nativeUpdate(RefreshToken, { user: user.id, revokedAt: null }, { revokedAt: now });
    await tx.nativeUpdate(
      DisputeEvidence,
      { uploader: user.id, kind: "photo", photoRemovedAt: null },
      { photoRemovedAt: now },
    );
  });
}
