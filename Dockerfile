# syntax=docker/dockerfile:1
# flagdog: a production image on Node 24 LTS (see docs/deployment.md). Build: docker build -t flagdog .

# ---- build: install everything, compile, then drop the dev dependencies ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
# swagger-ui-dist pulls in @scarf/scarf, which phones home from its install script.
ENV SCARF_ANALYTICS=false \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
COPY console/package.json console/package-lock.json ./console/
# argon2 ships prebuilt binaries for linux-x64 and linux-arm64 (glibc): no compiler needed.
# postinstall installs the console's own dependencies (console/package-lock.json).
RUN npm ci
# ormconfig.ts* matches nothing until that file exists; nest-cli.json always matches.
COPY nest-cli.json tsconfig.json tsconfig.build.json ormconfig.ts* ./
COPY src ./src
COPY console ./console
RUN npm run build \
 && test -f dist/src/main.js \
 && test -f console/dist/index.html \
 && rm -rf console/node_modules \
 && npm prune --omit=dev \
 && npm cache clean --force

# ---- runtime: production dependencies and the compiled app, as a non-root user ----
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/flagdog
WORKDIR /app
# DATA_DIR is only used by the embedded database (no DATABASE_URL); it must be writable by `node`.
RUN mkdir -p /var/lib/flagdog && chown node:node /var/lib/flagdog && chmod 0700 /var/lib/flagdog
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The operator console, served by flagdog at /admin.
COPY --from=build /app/console/dist ./console/dist
# The image's files stay root-owned and read-only to the app; it runs as the unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
# /health/ready answers 200 once migrations are applied and the database answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# main.ts handles SIGTERM itself (closes the app and the database, exits 0).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
