import { randomBytes } from "node:crypto";

import { z } from "zod";

import type { FormParams } from "./form-params.js";
import type { LocalStripeStore, StripeList, StripeObject } from "./local-stripe-store.js";
import { stripeId } from "./stripe-id.js";
import { expandParam, listParams, metadataParam, parseStripeParams } from "./stripe-params.js";

const createSchema = z.strictObject({
  url: z.url(),
  enabled_events: z.array(z.string().min(1)).min(1),
  description: z.string().optional(),
  api_version: z.string().optional(),
  metadata: metadataParam.optional(),
  expand: expandParam,
});

/** Where events go, and the secret their signatures are made with. */
export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
  enabledEvents: string[];
}

/** A new signing secret in Stripe's `whsec_` form. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}

/**
 * Webhook endpoints: the one from configuration (LOCAL_STRIPE_WEBHOOK_URL) and those created through
 * `POST /v1/webhook_endpoints`, whose secret, as on Stripe, is shown only in the create response.
 */
export class WebhookEndpoints {
  private readonly secrets = new Map<string, string>();

  constructor(private readonly store: LocalStripeStore) {}

  /** Registers an endpoint without an API call (configuration, test controls). */
  add(target: { url: string; secret?: string; enabledEvents?: string[] }): WebhookTarget {
    const secret = target.secret ?? newWebhookSecret();
    const endpoint = this.store.insert({
      id: stripeId("we"),
      object: "webhook_endpoint",
      api_version: null,
      application: null,
      description: null,
      enabled_events: target.enabledEvents ?? ["*"],
      livemode: false,
      metadata: {},
      status: "enabled",
      url: target.url,
    });
    this.secrets.set(endpoint.id, secret);
    return { id: endpoint.id, url: target.url, secret, enabledEvents: endpoint.enabled_events };
  }

  create(params: FormParams): StripeObject {
    const input = parseStripeParams(createSchema, params);
    const target = this.add({ url: input.url, enabledEvents: input.enabled_events });
    const endpoint = this.get(target.id);
    Object.assign(endpoint, {
      api_version: input.api_version ?? null,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
    });
    return { ...endpoint, secret: target.secret };
  }

  get(id: string): StripeObject {
    return this.store.get("webhook_endpoint", id);
  }

  list(params: FormParams): StripeList {
    const query = parseStripeParams(z.strictObject(listParams), params);
    return this.store.list("/v1/webhook_endpoints", this.store.all("webhook_endpoint").filter(isLive), query);
  }

  delete(id: string): StripeObject {
    const endpoint = this.get(id);
    endpoint.status = "deleted";
    return { id, object: "webhook_endpoint", deleted: true, created: endpoint.created };
  }

  /** The live endpoints that want events of `type`. */
  targetsFor(type: string): WebhookTarget[] {
    return this.store
      .all("webhook_endpoint")
      .filter(isLive)
      .filter((endpoint) => {
        const enabled = endpoint.enabled_events as string[];
        return enabled.includes("*") || enabled.includes(type);
      })
      .map((endpoint) => ({
        id: endpoint.id,
        url: endpoint.url as string,
        secret: this.secrets.get(endpoint.id)!,
        enabledEvents: endpoint.enabled_events as string[],
      }));
  }
}

function isLive(endpoint: StripeObject): boolean {
  return endpoint.status !== "deleted";
}
