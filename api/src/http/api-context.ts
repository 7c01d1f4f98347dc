import type { ParameterizedContext } from "koa";
import type { Logger } from "pino";

import type { AuthUser } from "../auth/access-tokens.js";
import type { CheckedJson } from "./checked-json.js";

/** What the middleware stack puts on `ctx.state` for every request. */
export interface ApiState {
  requestId: string;
  /** A child logger that stamps every line with the request id. */
  log: Logger;
  /** Set when the request carried a valid access token. */
  user?: AuthUser;
  /** Why the bearer token was refused, if one was sent: reported only by routes that need a user. */
  authError?: Error;
  /** The route pattern that matched, e.g. `/api/products/:id`, for metrics and logs. */
  routePattern?: string;
  /** The response, when its route declared it the same for every anonymous caller (see sharedResponses). */
  sharedJson?: CheckedJson;
}

export type ApiContext = ParameterizedContext<ApiState>;
