# syntax=docker/dockerfile:1
# FactorLab's two images, built from the lockfile (docker-compose.yml builds both):
#   runtime (the default target): the `lab` command compiled to JavaScript, for the migrate, api
#            and worker services; the Vulkan loader, lavapipe for CPU workers, production packages
#   web:     the dashboard, Next.js's standalone server
# Both run as the unprivileged user `node` under tini, which forwards SIGTERM and reaps children.

# Node.js 24 (LTS) on Debian 12, pinned by digest: node:24-bookworm-slim as of Node 24.18.0. To move
# to a newer build, `docker buildx imagetools inspect node:24-bookworm-slim` prints the digest.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# ---- build: every dependency, then the compiled lab command and the dashboard
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
COPY gpu/package.json gpu/
COPY api/package.json api/
COPY web/package.json web/
# No install scripts: nothing is downloaded besides the lockfile's packages (Prisma's would fetch
# engines); the Prisma client is generated below, offline, and esbuild and Next.js's compiler come
# as platform packages.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN node api/bin/prisma.js generate \
 && node deploy/runtime-layout.mjs /runtime \
 && cd web && FACTORLAB_WEB_STANDALONE=1 node ../node_modules/next/dist/bin/next build

# ---- production-deps: the packages the api and gpu workspaces need at run time, nothing else
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /deps
COPY package.json package-lock.json ./
COPY gpu/package.json gpu/
COPY api/package.json api/
COPY web/package.json web/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace api --workspace gpu

# ---- web: the dashboard alone (docker-compose.yml: target web)
FROM ${NODE_IMAGE} AS web
ARG TINI_VERSION=0.19.0-1+b3
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini=${TINI_VERSION} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /factorlab
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOSTNAME=0.0.0.0 PORT=3000
COPY --from=build /src/web/.next/standalone ./
COPY --from=build /src/web/.next/static ./web/.next/static
COPY deploy/healthcheck.mjs ./deploy/
USER node
EXPOSE 3000
ENTRYPOINT ["tini", "--"]
CMD ["node", "web/server.js"]

# ---- runtime: migrate, api and worker (the default target)
FROM ${NODE_IMAGE} AS runtime
# Dawn reaches GPUs through Vulkan: the loader, and lavapipe (Mesa's CPU driver) for CPU workers;
# Debian 12's own Mesa is too old for Dawn, so Mesa comes from bookworm-backports. Pinned, so a
# rebuild gets the same drivers; backports keeps only its newest build, so a rebuild after Debian
# moves on needs the new version here (apt-cache policy mesa-vulkan-drivers). On NVIDIA hosts the
# container toolkit mounts the driver and its Vulkan ICD (docker-compose.gpu.yml).
ARG MESA_VERSION=25.0.7-2~bpo12+1
ARG VULKAN_LOADER_VERSION=1.3.239.0-1
ARG TINI_VERSION=0.19.0-1+b3
RUN echo 'deb http://deb.debian.org/debian bookworm-backports main' \
      > /etc/apt/sources.list.d/backports.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends -t bookworm-backports \
      tini=${TINI_VERSION} libvulkan1=${VULKAN_LOADER_VERSION} mesa-vulkan-drivers=${MESA_VERSION} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /factorlab
ENV NODE_ENV=production XDG_RUNTIME_DIR=/tmp CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 \
    FACTORLAB_API_HOST=0.0.0.0 FACTORLAB_DATA_DIR=/factorlab/.lab
COPY --from=production-deps /deps/node_modules ./node_modules
COPY --from=build /runtime ./
# Models (a volume in docker-compose.yml) and the lab's data directory belong to the user it runs as.
RUN mkdir -p models data .lab && chown node:node models data .lab
USER node
EXPOSE 4000
ENTRYPOINT ["tini", "--", "node", "api/dist/lab.js"]
CMD ["api"]
