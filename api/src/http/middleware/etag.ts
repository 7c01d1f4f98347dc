import { createHash } from "node:crypto";

import type { Middleware } from "koa";

import type { ApiState } from "../api-context.js";

/**
 * Tags successful GET and HEAD responses with a weak ETag of their JSON and answers 304 when the client already
 * has it. Weak, because compression further out changes the bytes but not the meaning.
 */
export function etag(): Middleware<ApiState> {
  return async (ctx, next) => {
    await next();
    if ((ctx.method !== "GET" && ctx.method !== "HEAD") || ctx.status !== 200) return;
    // A handler may have set the tag already (a cached, pre-serialized body); then only freshness is left to check.
    if (ctx.response.headers.etag === undefined) {
      const body: unknown = ctx.body;
      let text: string;
      if (typeof body === "string") text = body;
      else if (Buffer.isBuffer(body)) text = body.toString("latin1");
      else if (body !== null && typeof body === "object" && typeof (body as { pipe?: unknown }).pipe !== "function") {
        text = JSON.stringify(body);
        ctx.type = "application/json";
        ctx.body = text;
      } else return;
      ctx.set("ETag", `W/"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`);
    }
    if (ctx.fresh) {
      ctx.status = 304;
      ctx.body = null;
    }
  };
}
