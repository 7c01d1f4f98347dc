import { z } from "zod";

import { ROLES } from "../vocabulary/roles.js";

export const userParams = z.object({ id: z.uuid({ error: "expected a user id (UUID)" }) });

export const setRolesBody = z.object({
  roles: z
    .array(z.enum(ROLES))
    .min(1, { error: "expected at least one role" })
    .refine((roles) => new Set(roles).size === roles.length, { error: "expected each role once" }),
});

export const userRolesResponse = z.object({ id: z.uuid(), roles: z.array(z.enum(ROLES)) });
