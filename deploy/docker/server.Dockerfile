# syntax=docker/dockerfile:1
# The server image, built from the repository root (see the README, "Container images"):
#   docker build -f deploy/docker/server.Dockerfile -t agridao/server .
# One image, three commands: the API (default), its migrations (`node api/dist/migrate.js`) and the indexer
# (`node indexer/dist/main.js`). Its first two stages are the web image's too, so a builder compiles the contracts
# once for both.

ARG NODE_IMAGE=node:24-bookworm-slim

# Every dependency, dev ones included: the contracts compile with the npm solc and the server with esbuild. Install
# scripts stay off: package.json's allowScripts denies them to the production packages that have one, and no build
# tool needs its own.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# The contracts' ABIs and constants, and the addresses of the deployments in deploy/deployments, which the server
# compiles in (protocol/generated/contracts.ts).
FROM dependencies AS contracts
COPY . .
RUN npm run build

FROM contracts AS bundles
RUN npm run server:build

FROM ${NODE_IMAGE} AS runtime_dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS server
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    API_HOST=0.0.0.0 \
    API_PORT=4000 \
    INDEXER_HTTP_HOST=0.0.0.0 \
    INDEXER_HTTP_PORT=42069 \
    UPLOAD_DIR=/var/lib/agridao/uploads \
    EVIDENCE_DIR=/var/lib/agridao/evidence \
    HEALTHCHECK_URL=http://127.0.0.1:4000/health
WORKDIR /app
COPY --from=runtime_dependencies /app/node_modules ./node_modules
COPY --from=bundles /app/build/server ./
# Photos and dispute evidence are the only files the API writes: volumes, owned by the image's user so that a new
# named volume starts writable. Everything else can be mounted read-only.
RUN mkdir -p /var/lib/agridao/uploads /var/lib/agridao/evidence \
  && chown -R 1000:1000 /var/lib/agridao
VOLUME ["/var/lib/agridao/uploads", "/var/lib/agridao/evidence"]
# The base image's `node` user, by number, so that an orchestrator can verify it is not root.
USER 1000:1000
EXPOSE 4000 42069
# The indexer's container points HEALTHCHECK_URL at its own port (http://127.0.0.1:42069/health).
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "api/dist/main.js"]
