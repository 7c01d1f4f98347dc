import type { ValidationIssue } from "../errors.js";

/**
 * A NUL, which PostgreSQL text cannot hold (the query fails, and may take its connection with it), or a UTF-16
 * surrogate standing alone, which is no Unicode at all (the driver would silently store U+FFFD instead).
 */
const MALFORMED = /[\0\p{Cs}]/u;

/** Beyond this many, a request's malformed strings are not listed: one is enough to refuse it. */
const MAX_ISSUES = 20;

/** What makes `text` unstorable, as a noun phrase; undefined when it is fine. */
function flawOf(text: string): string | undefined {
  const found = MALFORMED.exec(text);
  if (found === null) return undefined;
  return found[0] === "\0" ? "a NUL character (\\u0000)" : "an unpaired UTF-16 surrogate, which is not valid Unicode";
}

/**
 * Every string of a request part (`params`, `query`, `body`: strings, arrays and objects at any depth, property names
 * included) that no text column could store, as validation issues named by path (`body.items.0.note`). The part is
 * walked whole, whatever its schema reads or strips, so no route can pass such text on to the database.
 */
export function malformedTextIssues(part: string, value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // An explicit stack rather than recursion: a deeply nested body must not exhaust the call stack.
  const pending: { path: string; value: unknown }[] = [{ path: part, value }];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const { path, value: current } = pending.pop()!;
    if (typeof current === "string") {
      const flaw = flawOf(current);
      if (flaw !== undefined) issues.push({ path, message: `must not contain ${flaw}` });
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        pending.push({ path: `${path}.${index}`, value: current[index] });
      }
    } else if (typeof current === "object" && current !== null) {
      for (const [key, item] of Object.entries(current).reverse()) {
        const flaw = flawOf(key);
        if (flaw === undefined) pending.push({ path: `${path}.${key}`, value: item });
        else issues.push({ path, message: `must not have a property name containing ${flaw}` });
      }
    }
  }
  return issues;
}
