import Stripe from "stripe";

import { LocalStripeError } from "./local-stripe-error.js";
import { stripeId } from "./stripe-id.js";

/** Any object the local Stripe keeps: the JSON Stripe would return, with its `id` and `object` name. */
export type StripeObject = { id: string; object: string; created: number; [field: string]: unknown };

/** A Stripe event as it is stored, listed and delivered. */
export type StripeEvent = StripeObject & {
  object: "event";
  type: string;
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
  pending_webhooks: number;
};

/** Stripe's list envelope. */
export interface StripeList {
  object: "list";
  data: StripeObject[];
  has_more: boolean;
  url: string;
}

export interface ListQuery {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
  created?: number | { gt?: number; gte?: number; lt?: number; lte?: number };
}

/** The API request an event came from, as Stripe records it on the event. */
export interface RequestOrigin {
  id: string | null;
  idempotency_key: string | null;
}

/**
 * Everything the local Stripe knows, in memory: objects by id, events in the order they happened, and a clock that
 * tests can move forward. Nothing is persisted; a restart starts empty.
 */
export class LocalStripeStore {
  private readonly objects = new Map<string, StripeObject>();
  private readonly events: StripeEvent[] = [];
  private readonly sequence = new Map<string, number>();
  private clockOffsetSeconds = 0;
  private nextSequence = 0;
  /** The API request being handled, so the events it causes name it like Stripe's do. */
  currentRequest: RequestOrigin = { id: null, idempotency_key: null };

  constructor(private readonly onEvent: (event: StripeEvent) => number) {}

  /** Unix seconds on the local clock: the wall clock plus however far tests advanced it. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetSeconds;
  }

  advanceClock(seconds: number): void {
    this.clockOffsetSeconds += seconds;
  }

  /** Stores a new object; `created` is set from the local clock. */
  insert<T extends { id: string; object: string }>(object: T): StripeObject & T {
    const stored = { ...object, created: this.now() } as StripeObject & T;
    this.objects.set(stored.id, stored);
    this.sequence.set(stored.id, this.nextSequence++);
    return stored;
  }

  /** The object with `id` of type `objectName`, or Stripe's 404. */
  get(objectName: string, id: string, param = "id"): StripeObject {
    const found = this.objects.get(id);
    if (found === undefined || found.object !== objectName)
      throw LocalStripeError.resourceMissing(objectName, id, param);
    return found;
  }

  find(objectName: string, id: string): StripeObject | undefined {
    const found = this.objects.get(id);
    return found?.object === objectName ? found : undefined;
  }

  /** Any object by id, whatever its type (for `expand`). */
  byId(id: string): StripeObject | undefined {
    return this.objects.get(id);
  }

  all(objectName: string): StripeObject[] {
    return [...this.objects.values()].filter((object) => object.object === objectName);
  }

  /** Records an event about `object` (a snapshot, as Stripe sends) and hands it to webhook delivery. */
  emit(type: string, object: StripeObject, previousAttributes?: Record<string, unknown>): StripeEvent {
    const event: StripeEvent = {
      id: stripeId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: this.now(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes === undefined ? {} : { previous_attributes: structuredClone(previousAttributes) }),
      },
      livemode: false,
      pending_webhooks: 0,
      request: { ...this.currentRequest },
      type,
    };
    this.events.push(event);
    this.sequence.set(event.id, this.nextSequence++);
    event.pending_webhooks = this.onEvent(event);
    return event;
  }

  event(id: string): StripeEvent {
    const found = this.events.find((event) => event.id === id);
    if (found === undefined) throw LocalStripeError.resourceMissing("event", id);
    return found;
  }

  /** Lists newest first, with Stripe's `created` filters and `starting_after`/`ending_before` cursors. */
  list(url: string, items: StripeObject[], query: ListQuery): StripeList {
    const { created } = query;
    const range = typeof created === "number" ? { gte: created, lte: created } : (created ?? {});
    let sorted = items
      .filter(
        (item) =>
          (range.gt === undefined || item.created > range.gt) &&
          (range.gte === undefined || item.created >= range.gte) &&
          (range.lt === undefined || item.created < range.lt) &&
          (range.lte === undefined || item.created <= range.lte),
      )
      .sort(this.newestFirst);
    const limit = query.limit ?? 10;
    if (query.starting_after !== undefined) {
      const cursor = this.cursor(query.starting_after, items, "starting_after");
      sorted = sorted.filter((item) => this.newestFirst(item, cursor) > 0);
      return { object: "list", data: sorted.slice(0, limit), has_more: sorted.length > limit, url };
    }
    if (query.ending_before !== undefined) {
      const cursor = this.cursor(query.ending_before, items, "ending_before");
      const before = sorted.filter((item) => this.newestFirst(item, cursor) < 0);
      return { object: "list", data: before.slice(-limit), has_more: before.length > limit, url };
    }
    return { object: "list", data: sorted.slice(0, limit), has_more: sorted.length > limit, url };
  }

  eventList(): StripeEvent[] {
    return this.events;
  }

  /** Sort order of every list: newest first, and among objects created in the same second, the later one first. */
  private readonly newestFirst = (a: StripeObject, b: StripeObject): number =>
    b.created - a.created || (this.sequence.get(b.id) ?? 0) - (this.sequence.get(a.id) ?? 0);

  private cursor(id: string, items: StripeObject[], param: string): StripeObject {
    const found = items.find((item) => item.id === id);
    if (found === undefined) throw LocalStripeError.resourceMissing(items[0]?.object ?? "object", id, param);
    return found;
  }
}
