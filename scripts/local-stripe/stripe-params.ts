import { z } from "zod";

import type { FormParams, FormValue } from "./form-params.js";
import { LocalStripeError } from "./local-stripe-error.js";

const INTEGER_MESSAGE = "Invalid integer";

/** A form value that must be a whole number, as Stripe reads `amount=500`. */
export const integerParam = z
  .string()
  .regex(/^-?\d+$/, INTEGER_MESSAGE)
  .transform((value) => Number(value));

/** An amount in the currency's smallest unit. */
export const amountParam = integerParam.pipe(
  z.number().int().min(1, "Invalid positive integer").max(99_999_999, "Amount must be no more than 99,999,999"),
);

export const booleanParam = z.enum(["true", "false"]).transform((value) => value === "true");

export const currencyParam = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, "Invalid currency")
  .transform((value) => value.toLowerCase());

/** Up to 50 string keys, as Stripe's metadata allows. */
export const metadataParam = z
  .record(z.string().max(40), z.string().max(500))
  .refine((value) => Object.keys(value).length <= 50, "Metadata may hold at most 50 keys");

export const expandParam = z.array(z.string()).optional();

const createdRange = z.union([
  integerParam,
  z.strictObject({
    gt: integerParam.optional(),
    gte: integerParam.optional(),
    lt: integerParam.optional(),
    lte: integerParam.optional(),
  }),
]);

/** The parameters every list endpoint takes. */
export const listParams = {
  limit: integerParam.pipe(z.number().int().min(1).max(100)).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  created: createdRange.optional(),
  expand: expandParam,
};

/** Reads `params` with `schema`, failing the way Stripe does: one error naming the first bad parameter. */
export function parseStripeParams<T extends z.ZodType>(schema: T, params: FormParams): z.output<T> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const param = paramName([...issue.path, issue.keys[0]]);
    throw LocalStripeError.invalidRequest(`Received unknown parameter: ${param}`, {
      code: "parameter_unknown",
      param,
      beforeExecution: true,
    });
  }
  const param = paramName(issue.path);
  const value = valueAt(params, issue.path);
  if (value === undefined) {
    throw LocalStripeError.invalidRequest(`Missing required param: ${param}.`, {
      code: "parameter_missing",
      param,
      beforeExecution: true,
    });
  }
  if (issue.message === INTEGER_MESSAGE) {
    throw LocalStripeError.invalidRequest(
      `Invalid integer: ${typeof value === "string" ? value : JSON.stringify(value)}`,
      {
        code: "parameter_invalid_integer",
        param,
        beforeExecution: true,
      },
    );
  }
  if (value === "") {
    throw LocalStripeError.invalidRequest(`Invalid ${param}: must not be empty`, {
      code: "parameter_invalid_empty",
      param,
      beforeExecution: true,
    });
  }
  throw LocalStripeError.invalidRequest(`Invalid ${param}: ${issue.message}`, { param, beforeExecution: true });
}

/** `["line_items", 0, "quantity"]` → `line_items[0][quantity]`, as Stripe names parameters in errors. */
function paramName(path: PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ""}${rest.map((part) => `[${part}]`).join("")}`;
}

function valueAt(params: FormParams, path: PropertyKey[]): FormValue | undefined {
  let node: FormValue | undefined = params;
  for (const key of path) {
    if (node === undefined || typeof node === "string") return undefined;
    node = (node as Record<string, FormValue>)[String(key)];
  }
  return node;
}
