# Liandong's production image: the built board and its production dependencies on a slim Node 24, run as the
# unprivileged `node` user. `compose.yaml` runs two of these on one PostgreSQL behind Caddy; on its own the image
# keeps the embedded database in the /data volume. See the README, "Production".
ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only. No install scripts: none of them needs one (their native parts, sharp's libvips
# and argon2, come as prebuilt optional packages), and the project's own `prepare` needs the dev tools.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts

# The build: every dependency, then the message catalog and the SvelteKit app (build/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run prepare && npm run build

# What runs: server/ and the parts of src/lib it imports run as TypeScript on Node's own type stripping; build/
# holds the pages (and the PDF font, copied from static/); migrations/ are applied at start.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
	PORT=3000 \
	DATA_DIR=/data
WORKDIR /app
# The code stays owned by root: the process may read it, not change it. Only /data is the node user's.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/build ./build
COPY --from=build /app/server ./server
COPY --from=build /app/src/lib/server ./src/lib/server
COPY --from=build /app/src/lib/domain ./src/lib/domain
COPY --from=build /app/src/lib/paraglide ./src/lib/paraglide
COPY --from=build /app/migrations ./migrations
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# /healthz answers 200 while the database answers (and 503 otherwise); the slim image has no curl, so Node asks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) lets the server finish its commits and tell clients to reconnect before it exits.
STOPSIGNAL SIGTERM
# Node's options for the server (server/node-flags.ts says why).
CMD ["node", "--max-semi-space-size=16", "server/main.ts"]
