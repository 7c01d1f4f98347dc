import { z } from "zod";

export const healthResponse = z.object({ status: z.literal("ok") });

const check = z.looseObject({ ok: z.boolean(), error: z.string().optional() });

export const readyResponse = z.object({
  status: z.literal("ready"),
  checks: z.record(z.string(), check),
});
