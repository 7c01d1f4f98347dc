# syntax=docker/dockerfile:1
# The web image for one chain, built from the repository root (see the README, "Container images"):
#   docker build -f deploy/docker/web.Dockerfile -t agridao/web \
#     --build-arg VITE_CHAIN_ID=11155111 --build-arg VITE_CHAIN_RPC_URL=https://rpc.example.org .
# Vite writes the VITE_* settings into the bundle, and the Content-Security-Policy allows that chain's RPC only, so
# each chain gets an image of its own. nginx serves the build and forwards /api to the API (docker-compose.prod.yml).

ARG NODE_IMAGE=node:24-bookworm-slim
ARG DEBIAN_IMAGE=debian:bookworm-slim

# The same first stages as the server image's (a builder reuses them): every dependency, then the contracts.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM dependencies AS contracts
COPY . .
RUN npm run build

FROM contracts AS bundle
ARG VITE_CHAIN_ID
ARG VITE_CHAIN_RPC_URL
ARG VITE_SHOP_CURRENCY=USD
ARG VITE_TERMS_VERSION=1
# Where product photos come from besides the app's origin (a CDN in the API's PHOTO_BASE_URL), space-separated.
ARG CSP_IMAGE_ORIGINS=""
RUN test -n "$VITE_CHAIN_ID" || { echo "--build-arg VITE_CHAIN_ID is required: the chain the web app runs on" >&2; exit 1; }
RUN npm run web:build \
  && node --import tsx scripts/prepare-web-image-command.ts web/dist /app/content-security-policy.conf

FROM ${DEBIAN_IMAGE} AS web
# Debian's nginx, with its ngx_brotli modules. Not pinned to versions: Debian's security updates replace them in the
# archive, and a pin would break the build at the next one; the base image's release fixes their series.
# linter ignore=ER0012
RUN apt-get update \
  && apt-get install -y --no-install-recommends nginx libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static curl \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 web \
  && useradd --system --uid 10001 --gid web --no-create-home --shell /usr/sbin/nologin web
COPY deploy/docker/web/nginx.conf deploy/docker/web/security-headers.conf deploy/docker/web/api-proxy.conf /etc/nginx/agridao/
COPY --from=bundle /app/content-security-policy.conf /etc/nginx/agridao/
COPY --from=bundle /app/web/dist /usr/share/nginx/html
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/index.html"]
# nginx finishes the requests it is serving on SIGQUIT; SIGTERM would drop them.
STOPSIGNAL SIGQUIT
CMD ["nginx", "-e", "stderr", "-c", "/etc/nginx/agridao/nginx.conf", "-g", "daemon off;"]
