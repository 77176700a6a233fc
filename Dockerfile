# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
# Node 24.22.3 (.node-version) is the version CI and the test suite run on (scripts/setup-node.sh); Debian 13
# (trixie), the current stable. Pin the base image by digest in your own registry.
FROM node:24.22.3-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and compiled output only (proved by
# test/integration/production-build.test.ts), owned by root and read-only for the process.
FROM node:24.22.3-trixie-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY manifest.yml ./
# The image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user, and
# deploy/kubernetes/deployment.yaml runs the pod as the same uid/gid (1000:1000).
USER 1000:1000
EXPOSE 3000
# /healthz answers while the process is up (HTTP receiver or Socket Mode alike).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# The root file system can be read-only: the bot writes nothing to disk (the production-build test runs it
# under Node's permission model with no file-system write permission at all).
CMD ["node", "dist/main.js"]
