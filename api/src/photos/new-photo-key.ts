import { randomBytes } from "node:crypto";

/** A fresh photo-store key: 128 random bits, so keys are unguessable and never reused. */
export function newPhotoKey(): string {
  return randomBytes(16).toString("hex");
}
