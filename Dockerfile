# One image for the brokers and the CLI, built once and shared by every broker service.
# Stage 1 builds with the dev dependencies (TypeScript); stage 2 carries only the production
# dependencies and the built broker and CLI. The bench (dist/apps/bench) is left out: its peers'
# clients are dev dependencies, so it could not run here anyway.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && rm -rf dist/apps/bench

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The image's own user, not root; the data directory is created owned by it, so a named
# volume mounted there starts out writable by the broker.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 9092
CMD ["node", "dist/apps/broker/src/main.js"]
