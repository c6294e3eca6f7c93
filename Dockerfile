# The trading worker image (docker-compose.yml's "worker" service). Prisma runs offline with the JS
# engine and driver adapters, exactly as on a developer machine; the Temporal binaries are not needed
# in the image (the cluster is its own service).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsx prisma/build-schemas.ts --check \
 && bash scripts/prisma.sh generate --schema prisma/sqlite/schema.prisma \
 && bash scripts/prisma.sh generate --schema prisma/postgres/schema.prisma \
 && npx tsx workers/bundle.ts
# migrations, then the worker (several replicas may poll the same task queue)
CMD ["bash", "-c", "bash scripts/prisma.sh migrate deploy && exec node --require tsx/cjs workers/main.ts"]
