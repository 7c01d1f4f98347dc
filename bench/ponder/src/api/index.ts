import { Hono } from "hono";

// Ponder requires an API file; the benchmark reads only Ponder's own /health and /status.
export default new Hono();
