# syntax=docker/dockerfile:1
# Backflow: the GitHub App server (`npm start`). Multi-stage: build with dev dependencies, run with
# production dependencies only, as a non-root user. No secrets are baked in: pass APP_ID,
# PRIVATE_KEY (or mount a key and set PRIVATE_KEY_PATH) and WEBHOOK_SECRET at run time.

ARG NODE_IMAGE=node:20-bookworm-slim

# Build tools for better-sqlite3's native addon when no prebuilt binary matches.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# `npm ci` needs package-lock.json; this repository does not commit it yet, so fall back to `npm install`.
FROM toolchain AS build
COPY package*.json ./
# --ignore-scripts skips `prepare` (tsc) before the sources are copied; the rebuild restores the addon.
RUN if [ -f package-lock.json ]; then npm ci --ignore-scripts; else npm install --ignore-scripts; fi \
 && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM toolchain AS prod-deps
COPY package*.json ./
RUN if [ -f package-lock.json ]; then npm ci --omit=dev --ignore-scripts; else npm install --omit=dev --ignore-scripts; fi \
 && npm rebuild better-sqlite3 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=/data/backflow.db \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY contracts ./contracts
COPY examples ./examples
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# slim images have no curl; node's fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
