# Halflife (worker + HTTP API) as a container; see docker-compose.yml.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# 7380: the HTTP API; 9464: worker metrics (HALFLIFE_WORKER_METRICS_PORT).
EXPOSE 7380 9464
# TEMPORAL_ADDRESS is set: `start` runs the worker and the API, no dev server (docker-compose.yml runs
# `worker` and `api` as separate services instead).
CMD ["node", "dist/cli/main.js", "start"]
