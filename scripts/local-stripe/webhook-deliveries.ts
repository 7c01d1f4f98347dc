import { setTimeout as sleep } from "node:timers/promises";

import Stripe from "stripe";

import type { StripeEvent } from "./local-stripe-store.js";
import { seededShuffle } from "./seeded-shuffle.js";
import type { WebhookEndpoints, WebhookTarget } from "./webhook-endpoints.js";

/** How failed deliveries are retried: `baseDelayMs` doubling per attempt, capped, at most `maxAttempts` in all. */
export interface WebhookRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** One POST of an event to an endpoint, as tests can inspect them. */
export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  endpointId: string;
  attempt: number;
  /** The endpoint's HTTP status, or null when the request itself failed (refused, timed out). */
  status: number | null;
  error?: string;
}

/** Signing choices for a redelivery, to test an endpoint's checks: an old timestamp, or the wrong secret. */
export interface RedeliveryOptions {
  endpointId?: string;
  timestampOffsetSeconds?: number;
  secret?: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends events to webhook endpoints the way Stripe does: a JSON POST signed with the endpoint's secret (by the
 * SDK's own `generateTestHeaderString`, Stripe's `t=…,v1=…` scheme), retried with exponential backoff until a 2xx.
 * Deliveries of different events run concurrently, so they may arrive in any order, as on Stripe. Test controls
 * can hold deliveries and release them shuffled, send every event twice, or resend one.
 */
export class WebhookDeliveries {
  readonly attempts: DeliveryAttempt[] = [];
  private paused = false;
  private held: Array<{ event: StripeEvent; target: WebhookTarget }> = [];
  private duplicate = false;
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly stop = new AbortController();

  constructor(
    private readonly endpoints: WebhookEndpoints,
    private readonly retry: WebhookRetryPolicy,
    private readonly log: (line: string) => void,
  ) {}

  /** Queues `event` for every endpoint that wants it; returns how many (the event's `pending_webhooks`). */
  enqueue(event: StripeEvent): number {
    const targets = this.endpoints.targetsFor(event.type);
    for (const target of targets) {
      if (this.paused) this.held.push({ event, target });
      else void this.deliver(event, target);
    }
    return targets.length;
  }

  /** Holds every delivery from now on until `release`. */
  pause(): void {
    this.paused = true;
  }

  /**
   * Resumes delivery, first sending what was held in an order shuffled by `seed`, one after another (each waits
   * for the previous first attempt). Returns the event ids in the order they were sent.
   */
  async release(seed: number): Promise<string[]> {
    this.paused = false;
    const batch = seededShuffle(this.held, seed);
    this.held = [];
    const order: string[] = [];
    for (const { event, target } of batch) {
      order.push(event.id);
      await new Promise<void>((firstAttemptDone) => void this.deliver(event, target, firstAttemptDone));
    }
    return order;
  }

  heldCount(): number {
    return this.held.length;
  }

  /** While on, every event is delivered twice to each endpoint (the second after the first finished). */
  setDuplicateDelivery(on: boolean): void {
    this.duplicate = on;
  }

  /** Sends `event` once more (a single attempt, no retries); returns each endpoint's answer. */
  async redeliver(
    event: StripeEvent,
    options: RedeliveryOptions = {},
  ): Promise<Array<{ endpointId: string; status: number | null }>> {
    const targets = this.endpoints
      .targetsFor(event.type)
      .filter((target) => options.endpointId === undefined || target.id === options.endpointId);
    this.busy++;
    try {
      return await Promise.all(
        targets.map(async (target) => ({
          endpointId: target.id,
          status: await this.send(event, target, 1, options),
        })),
      );
    } finally {
      this.done();
    }
  }

  /** Resolves once nothing is being sent or waiting to be retried (held deliveries do not count). */
  async waitForIdle(timeoutMs = 30_000): Promise<void> {
    if (this.busy === 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`webhook deliveries still busy after ${timeoutMs} ms (${this.busy} in progress)`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops retries and in-flight requests; used when the server closes. */
  close(): void {
    this.stop.abort();
  }

  private async deliver(event: StripeEvent, target: WebhookTarget, onFirstAttempt?: () => void): Promise<void> {
    this.busy++;
    try {
      for (let copy = 0; copy < (this.duplicate ? 2 : 1); copy++) {
        await this.deliverWithRetries(event, target, copy === 0 ? onFirstAttempt : undefined);
      }
    } finally {
      onFirstAttempt?.();
      this.done();
    }
  }

  private async deliverWithRetries(event: StripeEvent, target: WebhookTarget, onFirstAttempt?: () => void) {
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      const status = await this.send(event, target, attempt, {});
      if (attempt === 1) onFirstAttempt?.();
      if (status !== null && status >= 200 && status < 300) {
        event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
        return;
      }
      if (attempt >= this.retry.maxAttempts) {
        this.log(`webhook ${event.id} (${event.type}) to ${target.url} gave up after ${attempt} attempts`);
        return;
      }
      const delay = Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs);
      try {
        await sleep(delay, undefined, { signal: this.stop.signal });
      } catch {
        return;
      }
    }
  }

  /** One signed POST; the endpoint's status, or null when it could not be reached. */
  private async send(
    event: StripeEvent,
    target: WebhookTarget,
    attempt: number,
    options: RedeliveryOptions,
  ): Promise<number | null> {
    const payload = JSON.stringify(event, null, 2);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? target.secret,
      timestamp: Math.floor(Date.now() / 1000) + (options.timestampOffsetSeconds ?? 0),
    });
    const record: DeliveryAttempt = {
      eventId: event.id,
      eventType: event.type,
      endpointId: target.id,
      attempt,
      status: null,
    };
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": signature,
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body: payload,
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      await response.arrayBuffer();
      record.status = response.status;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.attempts.push(record);
    return record.status;
  }

  private done(): void {
    this.busy--;
    if (this.busy > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
