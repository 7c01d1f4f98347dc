import { z } from "zod";

export const streamTicketResponse = z.object({
  /** Pass as `?ticket=` to GET /api/events; good for one stream, until `expiresAt`. */
  ticket: z.string(),
  expiresAt: z.iso.datetime(),
});

export type StreamTicket = z.infer<typeof streamTicketResponse>;
