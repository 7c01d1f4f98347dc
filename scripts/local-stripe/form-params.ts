import { LocalStripeError } from "./local-stripe-error.js";

/** A decoded request parameter: Stripe's form encoding nests objects and arrays with brackets. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

/**
 * Decodes `application/x-www-form-urlencoded` the way Stripe does: `line_items[0][price_data][unit_amount]=500`
 * becomes `{ line_items: [{ price_data: { unit_amount: "500" } }] }`. Values stay strings; each endpoint's schema
 * says what they must be. Objects are created without a prototype so a key like `__proto__` is just a key.
 */
export function parseFormParams(text: string): FormParams {
  const root: FormParams = Object.create(null) as FormParams;
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = KEY.exec(rawKey);
    if (!match) throw LocalStripeError.invalidRequest(`Invalid parameter name: ${rawKey}`, { param: rawKey });
    const path = [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])];
    let node: FormParams = root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] === "" ? String(Object.keys(node).length) : path[i];
      if (i === path.length - 1) {
        node[key] = value;
        break;
      }
      const next = node[key];
      if (typeof next === "string") {
        throw LocalStripeError.invalidRequest(`Invalid parameter: ${rawKey} mixes a value and nested keys`, {
          param: rawKey,
        });
      }
      node = (next ?? (node[key] = Object.create(null) as FormParams)) as FormParams;
    }
  }
  return arrayify(root) as FormParams;
}

/** Objects whose keys are exactly 0..n-1 are arrays (Stripe's `a[0]`, `a[1]`). */
function arrayify(value: FormValue): FormValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = arrayify(value[key]);
  const isList = keys.length > 0 && keys.every((key, index) => key === String(index));
  return isList ? keys.map((key) => value[key]) : value;
}
