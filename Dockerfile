# One image for every FactorLab service; docker-compose.yml picks the command (lab api | worker | web).
FROM node:20-bookworm

# The Vulkan loader for Dawn. On NVIDIA hosts the container toolkit mounts the driver and its
# Vulkan ICD (NVIDIA_DRIVER_CAPABILITIES includes "graphics"); elsewhere lavapipe is the fallback.
RUN echo 'deb http://deb.debian.org/debian bookworm-backports main' \
      > /etc/apt/sources.list.d/backports.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends -t bookworm-backports libvulkan1 mesa-vulkan-drivers \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /factorlab
ENV NEXT_TELEMETRY_DISABLED=1 XDG_RUNTIME_DIR=/tmp
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY gpu/package.json ./gpu/
COPY api/package.json ./api/
COPY api/bin ./api/bin
COPY api/src/db/migration-adapter.ts ./api/src/db/
COPY web/package.json ./web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN cd web && npx next build

# The API and the dashboard listen on all interfaces inside the container.
ENV FACTORLAB_API_HOST=0.0.0.0 FACTORLAB_WEB_HOST=0.0.0.0
ENTRYPOINT ["node", "api/bin/lab.js"]
CMD ["api"]
