import { z } from "zod";

import type { ApiRoute } from "./define-route.js";

type JsonSchema = Record<string, unknown>;

const ERROR_SCHEMA = z.object({
  error: z.object({
    code: z.string().describe("Stable machine-readable code, e.g. validation_failed"),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "The request is invalid",
  401: "Authentication required or the access token is invalid",
  403: "The caller lacks a required role",
  415: "The body is not JSON",
  429: "Rate limited; see Retry-After",
  500: "Internal server error",
};

/** An operation written out by hand, for the few routes that are not JSON in and out (event streams, raw bodies). */
export interface HandWrittenOperation {
  path: string;
  method: "get" | "post";
  operation: Record<string, unknown>;
}

/**
 * The OpenAPI 3.1 document of the given routes, derived from the same zod schemas that validate them, plus the
 * hand-written operations of the routes mounted outside defineRoute.
 */
export function buildOpenApiDocument(
  routes: readonly ApiRoute[],
  info: { title: string; version: string },
  handWritten: readonly HandWrittenOperation[] = [],
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { path, method, operation: written } of handWritten) {
    paths[path] ??= {};
    paths[path][method] = { ...written, responses: withErrorResponses(written.responses as Record<string, unknown>) };
  }
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: { Error: toSchema(ERROR_SCHEMA, "output") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}

function operation(route: ApiRoute) {
  const { request = {} } = route;
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    responses[status] =
      schema === null
        ? { description: "No content" }
        : { description: "Success", content: { "application/json": { schema: toSchema(schema, "output") } } };
  }
  const errors = [
    ...(request.params || request.query || request.body ? [400] : []),
    ...(route.auth === "public" ? [] : [401]),
    ...(Array.isArray(route.auth) ? [403] : []),
    ...(request.body ? [415] : []),
    ...(route.rateLimit === false ? [] : [429]),
    500,
  ];
  for (const status of errors) responses[String(status)] ??= ERROR_DESCRIPTIONS[status];
  return {
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next?: string) => next?.toUpperCase() ?? "")}`,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [...route.tags],
    ...(route.auth === "public" ? {} : { security: [{ bearer: [] }] }),
    ...(Array.isArray(route.auth) ? { "x-roles": [...(route.auth as readonly string[])] } : {}),
    parameters: [...parameters("path", request.params), ...parameters("query", request.query)],
    ...(request.body === undefined
      ? {}
      : {
          requestBody: { required: true, content: { "application/json": { schema: toSchema(request.body, "input") } } },
        }),
    responses: withErrorResponses(responses),
  };
}

/** Responses given as a bare description string are errors: they get the shared error body. */
function withErrorResponses(responses: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      typeof response === "string"
        ? { description: response, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }
        : response,
    ]),
  );
}

function parameters(location: "path" | "query", schema: z.ZodType | undefined) {
  if (schema === undefined) return [];
  const json = toSchema(schema, "input");
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
}

function toSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  // The document declares the dialect once (jsonSchemaDialect); per-schema $schema keys would repeat it.
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}
