import { ApiError } from "./api-error";

/** The messages of a 400 from the API, one per bad field (English: the API writes them). */
export function fieldProblems(error: unknown): string[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return (error.details as { message?: string }[]).map((detail) => detail.message ?? "").filter((m) => m !== "");
}
