import { becomeFarmer } from "../../accounts/become-farmer.js";
import { deleteAccount } from "../../accounts/delete-account.js";
import { describeAccount } from "../../accounts/describe-account.js";
import { exportAccount } from "../../accounts/export-account.js";
import { linkWallet } from "../../accounts/link-wallet.js";
import { unlinkWallet } from "../../accounts/unlink-wallet.js";
import { addEmailPassword } from "../../auth/add-email-password.js";
import type { AuthServices } from "../../auth/auth-services.js";
import { loadActiveUser } from "../../auth/load-active-user.js";
import { deleteRemovedEvidencePhotos } from "../../disputes/delete-removed-evidence-photos.js";
import type { EvidencePhotoStores } from "../../disputes/delete-removed-evidence-photos.js";
import { Wallet } from "../../entities/Wallet.js";
import { UnauthorizedError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import type { ApiRoute } from "../../http/define-route.js";
import { clearedRefreshCookie } from "../auth/refresh-cookie.js";
import { accountResponse, newCredentials, signedInResponse, siweProof } from "../../../../protocol/api/auth.js";
import { accountExportResponse, deleteAccountBody, walletParams } from "../../../../protocol/api/account.js";

const TAGS = ["account"] as const;
const PRIVATE = { "Cache-Control": "private, no-store" };

/** The signed-in user's own account: read, export, delete, sign-in methods, and taking the farmer role. */
export function createAccountRoutes(
  auth: AuthServices,
  { evidencePhotos }: { evidencePhotos: EvidencePhotoStores },
): ApiRoute[] {
  const { verifySiwe, hasher, sessions, limitAccount } = auth;
  return [
    defineRoute({
      method: "get",
      path: "/api/account",
      auth: "user",
      summary: "The signed-in account: email, roles, wallets, accepted terms",
      tags: TAGS,
      responses: { 200: accountResponse },
    }).handle(async ({ user, em }) => {
      const account = await loadActiveUser(em, user.id);
      return { status: 200, body: await describeAccount(em, account), headers: PRIVATE };
    }),

    defineRoute({
      method: "get",
      path: "/api/account/export",
      auth: "user",
      summary: "Download every piece of personal data the platform keeps about the signed-in user, as JSON",
      tags: TAGS,
      responses: { 200: accountExportResponse },
    }).handle(async ({ user, em }) => {
      const account = await loadActiveUser(em, user.id);
      const now = new Date();
      return {
        status: 200,
        body: await exportAccount(em, account, now),
        headers: {
          ...PRIVATE,
          "Content-Disposition": `attachment; filename="agridao-account-${now.toISOString().slice(0, 10)}.json"`,
        },
      };
    }),

    defineRoute({
      method: "delete",
      path: "/api/account",
      auth: "user",
      rateLimit: "auth",
      summary:
        "Delete the account: personal data and dispute evidence photos are erased, sign-in stops working, order " +
        "records stay anonymous",
      description:
        "Confirm with the password, or with a SIWE message (from a fresh nonce) signed by one of the account's wallets.",
      tags: TAGS,
      request: { body: deleteAccountBody },
      responses: { 204: null },
    }).handle(async ({ user, body, em, log }) => {
      const account = await loadActiveUser(em, user.id);
      if ("password" in body) {
        if (!(await hasher.verify(account.passwordHash, body.password))) {
          throw new UnauthorizedError("The password is wrong");
        }
      } else {
        const wallet = await verifySiwe(body.siwe);
        const owned = await em.count(Wallet, { address: wallet.address, user: account.id });
        if (owned === 0) throw new UnauthorizedError("The message was signed by a wallet that is not on this account");
      }
      await deleteAccount(em, account, new Date());
      log.info({ userId: account.id }, "account deleted");
      // The account is gone whatever happens here: photos left behind are deleted by the evidence photo job.
      await deleteRemovedEvidencePhotos(() => em.fork(), evidencePhotos, { uploaderId: account.id }).catch(
        (error: unknown) =>
          log.warn({ err: error, userId: account.id }, "deleting the account's evidence photos failed"),
      );
      return { status: 204, body: undefined, headers: { "Set-Cookie": clearedRefreshCookie() } };
    }),

    defineRoute({
      method: "post",
      path: "/api/account/wallets",
      auth: "user",
      rateLimit: "auth",
      summary: "Link a wallet to the account, proven by a signed SIWE message",
      description: "201 when linked, 200 when it already was; 409 when another account has it.",
      tags: TAGS,
      request: { body: siweProof },
      responses: { 200: accountResponse, 201: accountResponse },
    }).handle(async ({ user, body, em, log }) => {
      const account = await loadActiveUser(em, user.id);
      const wallet = await verifySiwe(body);
      const linked = await linkWallet(em, account, wallet);
      if (linked) log.info({ userId: account.id, address: wallet.address }, "wallet linked");
      return { status: linked ? 201 : 200, body: await describeAccount(em, account), headers: PRIVATE };
    }),

    defineRoute({
      method: "delete",
      path: "/api/account/wallets/:address",
      auth: "user",
      summary: "Unlink a wallet from the account",
      description: "409 when it is the account's last way to sign in.",
      tags: TAGS,
      request: { params: walletParams },
      responses: { 200: accountResponse },
    }).handle(async ({ user, params, em, log }) => {
      const account = await loadActiveUser(em, user.id);
      await unlinkWallet(em, account, params.address);
      log.info({ userId: account.id, address: params.address }, "wallet unlinked");
      return { status: 200, body: await describeAccount(em, account), headers: PRIVATE };
    }),

    defineRoute({
      method: "post",
      path: "/api/account/email",
      auth: "user",
      rateLimit: "auth",
      summary: "Add an email and a password to a wallet account",
      description: "409 when the account already has an email or another account uses this one.",
      tags: TAGS,
      request: { body: newCredentials },
      responses: { 200: accountResponse },
    }).handle(async ({ user, body, em, log }) => {
      await limitAccount(`email:${body.email}`);
      const account = await loadActiveUser(em, user.id);
      await addEmailPassword(em, hasher, account, body);
      log.info({ userId: account.id }, "email and password added");
      return { status: 200, body: await describeAccount(em, account), headers: PRIVATE };
    }),

    defineRoute({
      method: "post",
      path: "/api/account/become-farmer",
      auth: "user",
      summary: "Take the farmer role, to sell on the marketplace",
      description: "Answers a new access token that carries the role, with the account.",
      tags: TAGS,
      responses: { 200: signedInResponse },
    }).handle(async ({ user, em, log }) => {
      const account = await becomeFarmer(em, await loadActiveUser(em, user.id));
      log.info({ userId: account.id }, "became a farmer");
      return { status: 200, body: await sessions.reissue(em, account), headers: PRIVATE };
    }),
  ];
}
