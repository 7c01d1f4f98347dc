import { expect } from "chai";

import { User } from "../../api/src/entities/User.js";
import type { Role } from "../../protocol/vocabulary/roles.js";
import type { ApiTestApp } from "./api-app.js";

/** A signed-in test user with an account row, and how to call the API as them. */
export interface TestActor {
  id: string;
  token: string;
  /** `fetch` init for a JSON request as this user. */
  json(method: string, body?: unknown): RequestInit;
  /** Headers carrying this user's bearer token. */
  headers: Record<string, string>;
}

/** Creates a user row with `roles` and mints an access token for it. */
export async function createActor(api: ApiTestApp, roles: Role[]): Promise<TestActor> {
  const em = api.orm.em.fork();
  const user = em.create(User, { email: null, roles });
  await em.flush();
  const { token } = await api.accessTokens.issue({ id: user.id, roles });
  const headers = { Authorization: `Bearer ${token}` };
  return {
    id: user.id,
    token,
    headers,
    json: (method, body) => ({
      method,
      headers: { ...headers, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  };
}

/** Reads a response's error body and checks its status and code. */
export async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<{ message: string; details?: unknown }> {
  const body = (await response.json()) as { error: { code: string; message: string; details?: unknown } };
  expect(response.status, JSON.stringify(body)).to.equal(status);
  expect(body.error.code).to.equal(code);
  return body.error;
}

/** Paths of the validation issues of a 400 response. */
export async function validationPaths(response: Response): Promise<string[]> {
  const error = await expectError(response, 400, "validation_failed");
  return (error.details as { issues: { path: string }[] }).issues.map((issue) => issue.path);
}
