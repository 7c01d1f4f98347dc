import { COMMON_PASSWORDS } from "./common-passwords.js";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * What is wrong with a new password, as messages (empty when it is acceptable): length in characters (not UTF-16
 * units) between 12 and 128, not the account's email, not a well-known password.
 */
export function checkPasswordRules(password: string, email: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  const lowered = password.trim().toLowerCase();
  if (lowered === email.trim().toLowerCase()) problems.push("must not be your email address");
  if (COMMON_PASSWORDS.has(lowered)) problems.push("is too common; choose another");
  return problems;
}
