# One image for brokers and the CLI: the built monorepo.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev
ENV NODE_ENV=production
EXPOSE 9092
CMD ["node", "dist/apps/broker/src/main.js"]
