import type { DisputeService } from "../../disputes/dispute-service.js";
import { UnsupportedMediaTypeError, ValidationError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import { readUploadedFile } from "../../photos/read-uploaded-file.js";
import type { UploadLimits } from "../../photos/read-uploaded-file.js";
import { orderParams } from "../../../../protocol/api/orders.js";
import {
  disputeDetail,
  disputeEvidence,
  disputeMessage,
  disputeMessageBody,
  disputeParams,
  disputeQueue,
  openDisputeBody,
  openedDispute,
  orderDisputes,
  queueQuery,
  ruledDispute,
  rulingBody,
  textEvidenceBody,
} from "../../../../protocol/api/disputes.js";

// Disputes are private to their parties and arbiters: no shared cache may keep them.
const NO_STORE = { "Cache-Control": "no-store" };

/** Opening a dispute, its thread and evidence, the arbiters' queue and their rulings. */
export function createDisputeRoutes({
  disputes,
  uploadLimits,
}: {
  disputes: DisputeService;
  uploadLimits: UploadLimits;
}) {
  return [
    defineRoute({
      method: "post",
      path: "/api/orders/:id/disputes",
      auth: "user",
      summary: "Open a dispute over an order",
      description:
        "By the order's buyer or its farm's farmer (403 for arbiters and admins, 404 for anyone else). A card order " +
        "can be disputed while paid, shipped or delivered, within DISPUTE_WINDOW_DAYS of payment; an escrow order " +
        "while the escrow allows it: the dispute is recorded and `escrowCall` is the openDispute transaction the " +
        "party's wallet sends. 409 order_not_disputable, or dispute_already_open.",
      tags: ["disputes"],
      request: { params: orderParams, body: openDisputeBody },
      responses: { 201: openedDispute },
    }).handle(async ({ params, body, user, em }) => ({
      status: 201,
      body: await disputes.open(em, user, params.id, body),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/orders/:id/disputes",
      auth: "user",
      summary: "An order's disputes, newest first",
      description:
        "For the order's buyer and farmer, arbiters and admins (404 for anyone else); includes a dispute a party " +
        "opened straight on-chain.",
      tags: ["disputes"],
      request: { params: orderParams },
      responses: { 200: orderDisputes },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: { disputes: await disputes.forOrder(em, user, params.id) },
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/disputes/:id",
      auth: "user",
      summary: "One dispute with its messages and evidence",
      description:
        "For the order's buyer and farmer, arbiters and admins; 404 for anyone else. Evidence photos come as links " +
        "signed for the caller alone (GET /api/disputes/:id/evidence/:evidenceId/{thumbnail,display}.webp?viewer=" +
        "&expires=&signature=), valid 15 to 20 minutes; the photos are never served by /api/photos.",
      tags: ["disputes"],
      request: { params: disputeParams },
      responses: { 200: disputeDetail },
    }).handle(async ({ params, user, em }) => ({
      status: 200,
      body: await disputes.get(em, user, params.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/disputes/:id/messages",
      auth: "user",
      summary: "Post a message to a dispute's thread",
      description: "By a party or an arbiter, while the dispute is open (409 dispute_closed); admins only read (403).",
      tags: ["disputes"],
      request: { params: disputeParams, body: disputeMessageBody },
      responses: { 201: disputeMessage },
    }).handle(async ({ params, body, user, em }) => ({
      status: 201,
      body: await disputes.addMessage(em, user, params.id, body.body),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/disputes/:id/evidence",
      auth: "user",
      summary: "Add evidence to a dispute: a photo or a written statement",
      description:
        "A multipart/form-data upload with the image in field `photo` (JPEG, PNG or WebP, checked by content: 415 " +
        "otherwise; 413 past PHOTO_MAX_SIZE; 422 when it does not decode), or a JSON body `{ text }`. Who may add it " +
        "is checked before an upload is read.",
      tags: ["disputes"],
      request: { params: disputeParams },
      responses: { 201: disputeEvidence },
    }).handle(async ({ params, user, em, ctx }) => {
      await disputes.assertCanContribute(em, user, params.id);
      if (ctx.is("multipart/form-data")) {
        const bytes = await readUploadedFile(ctx.req, ctx.headers, "photo", uploadLimits);
        const evidence = await disputes.addEvidence(em, user, params.id, { kind: "photo", bytes });
        return { status: 201, body: evidence, headers: NO_STORE };
      }
      if (!ctx.is("application/json")) {
        throw new UnsupportedMediaTypeError(
          'Expected a multipart/form-data upload with the photo in field "photo", or a JSON body { "text": ... }',
        );
      }
      const parsed = textEvidenceBody.safeParse(ctx.request.body);
      if (!parsed.success) {
        throw new ValidationError(
          "The request is invalid",
          parsed.error.issues.map((issue) => ({
            path: ["body", ...issue.path.map(String)].join("."),
            message: issue.message,
          })),
        );
      }
      const evidence = await disputes.addEvidence(em, user, params.id, { kind: "text", text: parsed.data.text });
      return { status: 201, body: evidence, headers: NO_STORE };
    }),

    defineRoute({
      method: "get",
      path: "/api/arbiter/disputes",
      auth: ["arbiter"],
      summary: "Open disputes, oldest first, with their orders",
      tags: ["disputes"],
      request: { query: queueQuery },
      responses: { 200: disputeQueue },
    }).handle(async ({ query, em }) => ({
      status: 200,
      body: { disputes: await disputes.queue(em, query.limit) },
      headers: NO_STORE,
    })),

    defineRoute({
      method: "post",
      path: "/api/disputes/:id/ruling",
      auth: ["arbiter"],
      summary: "Rule on an open dispute: how much of the order total goes back to the buyer",
      description:
        "A card order is refunded `buyerShareMinor` (recorded first, then issued by Stripe once, whatever is retried) " +
        "and the farm's share is paid as on delivery; the dispute is ruled. Repeating a card ruling with the same share " +
        "carries out the one recorded. An escrow order gets `escrowCall`, the " +
        "escrow's rule transaction (the split in basis points, the share rounded down to what it can pay) for the " +
        "arbiter's wallet; the ruling stays pending until the indexer reports the resolution (409 " +
        "dispute_not_on_chain before the escrow recorded the dispute). 403 on a dispute over the arbiter's own order.",
      tags: ["disputes"],
      request: { params: disputeParams, body: rulingBody },
      responses: { 200: ruledDispute },
    }).handle(async ({ params, body, user, em }) => ({
      status: 200,
      body: await disputes.rule(em, user, params.id, body.buyerShareMinor),
      headers: NO_STORE,
    })),
  ];
}
