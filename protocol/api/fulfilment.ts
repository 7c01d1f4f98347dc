import { z } from "zod";

/**
 * Fulfilment: buyers' address books, farms' delivery settings (regions served, delivery options priced flat or per
 * region, pickup points, days the farm does not ship), each farm's choice at checkout, and what an order records of
 * it (the address and contact snapshotted, the option and its fee, the estimated delivery date, tracking or the pickup
 * window). Addresses and phone numbers are seen only by the buyer, the order's farm and staff.
 */

const minor = z.number().int().nonnegative();
const isoDate = z.iso.date().describe("A calendar date, YYYY-MM-DD, in the farm's time zone (Asia/Dhaka by default)");
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "expected a time of day as HH:MM" });

/** ISO 3166-1 alpha-2, upper case. Bangladesh (BD) addresses name a district from the closed list; others any region. */
export const countryCode = z.string().regex(/^[A-Z]{2}$/, { error: "expected a two-letter country code such as BD" });

/**
 * Where a farm delivers and what it charges by: a Bangladesh division (ISO 3166-2 code, `BD-C` for Dhaka) or a whole
 * other country (`IN`). A Bangladesh address's district belongs to one division.
 */
export const serviceRegion = z
  .string()
  .regex(/^(BD-[A-H]|[A-Z]{2})$/, { error: "expected a Bangladesh division code (BD-A … BD-H) or a country code" });

export const weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

/**
 * A buyer's address as they type it. `phone` is E.164 (`+8801712345678`); Bengali digits and the local form
 * (`01712345678` in Bangladesh) are accepted and stored in E.164. In Bangladesh `region` is a district code
 * (ISO 3166-2: `BD-13` for Dhaka district) and `postalCode` four digits; elsewhere `region` is free text.
 */
export const addressInput = z.strictObject({
  label: z.string().trim().max(40).optional().describe("The buyer's own name for it: Home, Work"),
  recipient: z.string().trim().min(1).max(100),
  phone: z.string().trim().min(1).max(32),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().max(20).optional(),
  country: countryCode,
  isDefault: z.boolean().optional(),
});

export const address = z.object({
  id: z.uuid(),
  label: z.string().nullable(),
  recipient: z.string(),
  phone: z.string().describe("E.164"),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string(),
  /** The division (Bangladesh) or country a farm's delivery options must serve for this address. */
  serviceRegion,
  postalCode: z.string().nullable(),
  country: countryCode,
  isDefault: z.boolean(),
  createdAt: z.iso.datetime(),
});

export const addressParams = z.object({ id: z.uuid() });
export const addressBook = z.object({ addresses: z.array(address) });

/** How a delivery option prices a parcel: one fee, or one per region served (regions without one are not served). */
export const deliveryFee = z.discriminatedUnion("type", [
  z.object({ type: z.literal("flat"), feeMinor: minor }),
  z.object({
    type: z.literal("per_region"),
    fees: z.array(z.object({ region: serviceRegion, feeMinor: minor })).min(1),
  }),
]);

export const deliveryOptionInput = z.strictObject({
  name: z.string().trim().min(1).max(80),
  fee: deliveryFee,
  freeAboveMinor: minor.nullable().describe("Orders whose subtotal reaches it ship free; null for never"),
  handlingDays: z.number().int().min(0).max(30),
  transitDays: z.number().int().min(0).max(60),
  active: z.boolean().default(true),
});

export const deliveryOption = deliveryOptionInput.extend({ id: z.uuid() });

export const openingHours = z.array(z.object({ day: weekday, opens: clock, closes: clock }));

export const pickupPointInput = z.strictObject({
  name: z.string().trim().min(1).max(80),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().min(1).max(100),
  country: countryCode,
  openingHours,
  /** The windows a buyer picks from: a weekday and a time span, within the opening hours. */
  windows: z.array(z.object({ day: weekday, from: clock, to: clock })).min(1),
  active: z.boolean().default(true),
});

export const pickupPoint = pickupPointInput.extend({ id: z.uuid() });

/** Everything a farm sets about getting its produce to buyers. */
export const deliverySettingsInput = z.strictObject({
  regionsServed: z.array(serviceRegion).describe("Where its delivery options may deliver"),
  closedWeekdays: z.array(weekday).describe("Days of the week the farm does not ship"),
  closedDates: z.array(isoDate).max(366).describe("Other days it does not ship (holidays)"),
  timeZone: z.string().min(1).max(64).default("Asia/Dhaka"),
});

export const deliverySettings = deliverySettingsInput.extend({
  farmId: z.uuid(),
  options: z.array(deliveryOption),
  pickupPoints: z.array(pickupPoint),
});

export const farmIdParams = z.object({ id: z.uuid() });
export const deliveryOptionParams = z.object({ id: z.uuid(), optionId: z.uuid() });
export const pickupPointParams = z.object({ id: z.uuid(), pointId: z.uuid() });

/** One way a farm's part of the cart can reach the buyer, as offered for a given address. */
export const fulfilmentOffer = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("delivery"),
    optionId: z.uuid(),
    name: z.string(),
    feeMinor: minor.nullable().describe("For this address and this farm's subtotal; null when it is not available"),
    available: z.boolean(),
    reason: z
      .enum(["region_not_served", "no_address", "inactive"])
      .nullable()
      .describe("Why it cannot be chosen for this address"),
    estimatedDeliveryDate: isoDate
      .nullable()
      .describe("Shipping today: handling and transit days, closed days skipped"),
  }),
  z.object({
    method: z.literal("pickup"),
    pickupPointId: z.uuid(),
    name: z.string(),
    address: z.object({ line1: z.string(), line2: z.string().nullable(), city: z.string(), region: z.string() }),
    windows: z.array(
      z
        .object({ start: z.iso.datetime(), end: z.iso.datetime() })
        .describe("The next pickup windows the buyer can pick"),
    ),
    feeMinor: z.literal(0),
    available: z.literal(true),
  }),
]);

export const fulfilmentOptionsQuery = z.object({
  addressId: z.uuid().optional().describe("The address to price delivery for; without it delivery shows no fee"),
});

/** What each farm of the cart offers, for the address asked about. */
export const fulfilmentOptions = z.object({
  farms: z.array(
    z.object({
      farm: z.object({ id: z.uuid(), name: z.string() }),
      subtotalMinor: minor,
      offers: z.array(fulfilmentOffer),
    }),
  ),
});

/** A farm's choice at checkout: a delivery option to an address of the buyer's, or a pickup point and window. */
export const fulfilmentChoice = z.discriminatedUnion("method", [
  z.strictObject({ farmId: z.uuid(), method: z.literal("delivery"), optionId: z.uuid(), addressId: z.uuid() }),
  z.strictObject({
    farmId: z.uuid(),
    method: z.literal("pickup"),
    pickupPointId: z.uuid(),
    windowStart: z.iso.datetime(),
  }),
]);

/** What an order records of its fulfilment, for its buyer, its farm and staff (others never see it). */
export const orderFulfilment = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("delivery"),
    option: z.object({ name: z.string(), handlingDays: z.number().int(), transitDays: z.number().int() }),
    feeMinor: minor,
    address: z.object({
      recipient: z.string(),
      phone: z.string(),
      line1: z.string(),
      line2: z.string().nullable(),
      city: z.string(),
      region: z.string(),
      postalCode: z.string().nullable(),
      country: countryCode,
    }),
    shipBy: isoDate.describe("When the farm must ship, from its handling days"),
    estimatedDeliveryDate: isoDate,
    tracking: z
      .object({ carrier: z.string(), number: z.string(), url: z.string().nullable() })
      .nullable()
      .describe("Once shipped"),
    parcelPhoto: z.object({ thumbnailUrl: z.string(), displayUrl: z.string() }).nullable(),
    packedAt: z.iso.datetime().nullable(),
    shippedAt: z.iso.datetime().nullable(),
  }),
  z.object({
    method: z.literal("pickup"),
    feeMinor: z.literal(0),
    pickupPoint: z.object({
      name: z.string(),
      line1: z.string(),
      line2: z.string().nullable(),
      city: z.string(),
      region: z.string(),
    }),
    window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
    readyAt: z.iso.datetime().nullable(),
    pickedUpAt: z.iso.datetime().nullable(),
  }),
]);

/** The buyer changes where an order goes, until the farm ships it (the farm is told). */
export const changeDeliveryAddressBody = z.strictObject({ addressId: z.uuid() });

/** The farm marks orders shipped in one go: each with its carrier and tracking number (and link). */
export const bulkShipBody = z.strictObject({
  orders: z
    .array(
      z.strictObject({
        orderId: z.uuid(),
        carrier: z.string().trim().min(1).max(80),
        trackingNumber: z.string().trim().min(1).max(80),
        trackingUrl: z.url({ protocol: /^https?$/ }).optional(),
      }),
    )
    .min(1)
    .max(100),
});

export type Address = z.infer<typeof address>;
export type AddressInput = z.input<typeof addressInput>;
export type DeliverySettings = z.infer<typeof deliverySettings>;
export type DeliveryOption = z.infer<typeof deliveryOption>;
export type PickupPoint = z.infer<typeof pickupPoint>;
export type FulfilmentOptions = z.infer<typeof fulfilmentOptions>;
export type FulfilmentOffer = z.infer<typeof fulfilmentOffer>;
export type FulfilmentChoice = z.infer<typeof fulfilmentChoice>;
export type OrderFulfilment = z.infer<typeof orderFulfilment>;
