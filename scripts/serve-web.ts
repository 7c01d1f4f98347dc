import { readFile, readdir } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

// Text worth compressing; images are compressed already.
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".json", ".svg", ".txt"]);

interface StaticFile {
  body: Buffer;
  gzipped: Buffer | undefined;
  type: string;
  /** Hashed file names under assets/ never change content, so browsers may keep them for good. */
  immutable: boolean;
}

export interface WebServer {
  /** e.g. http://localhost:5180 */
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) =>
      entry.isDirectory() ? listFiles(dir, path.join(prefix, entry.name)) : [path.join(prefix, entry.name)],
    ),
  );
  return nested.flat();
}

async function loadFiles(distDir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const relative of await listFiles(distDir)) {
    const body = await readFile(path.join(distDir, relative));
    const extension = path.extname(relative);
    files.set(`/${relative.split(path.sep).join("/")}`, {
      body,
      gzipped: COMPRESSIBLE.has(extension) ? gzipSync(body, { level: 9 }) : undefined,
      type: CONTENT_TYPES[extension] ?? "application/octet-stream",
      immutable: relative.startsWith(`assets${path.sep}`),
    });
  }
  return files;
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: StaticFile): void {
  const gzip = file.gzipped !== undefined && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
  const body = gzip ? file.gzipped! : file.body;
  res.writeHead(200, {
    "Content-Type": file.type,
    "Content-Length": body.length,
    "Cache-Control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    Vary: "Accept-Encoding",
    ...(gzip ? { "Content-Encoding": "gzip" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

function proxy(req: IncomingMessage, res: ServerResponse, api: URL): void {
  const upstream = httpRequest(
    {
      hostname: api.hostname,
      port: api.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: api.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) res.writeHead(502, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_gateway", message: "The API is not reachable" } }));
  });
  req.pipe(upstream);
}

/**
 * Serves a built web app (gzip, long-lived caching of hashed assets, index.html for every other path so client-side
 * routes load) and forwards /api to the API, so the browser sees one origin as it does behind nginx in production.
 * Used by the browser tests and bench:web.
 */
export async function startWebServer(options: {
  distDir: string;
  apiUrl: string;
  host?: string;
  port?: number;
}): Promise<WebServer> {
  const files = await loadFiles(options.distDir);
  const index = files.get("/index.html");
  if (index === undefined) throw new Error(`${options.distDir} has no index.html: build the web app first`);
  const api = new URL(options.apiUrl);
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === "/api" || pathname.startsWith("/api/")) return proxy(req, res, api);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    const file = files.get(pathname);
    if (file !== undefined) return sendFile(req, res, file);
    if (pathname.startsWith("/assets/")) {
      res.writeHead(404).end();
      return;
    }
    sendFile(req, res, index);
  });
  const host = options.host ?? "localhost";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
