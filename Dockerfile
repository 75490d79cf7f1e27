# One image for every Concord process; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The console is bundled from the installed npm packages here, once, so a
# gateway container serves it (GATEWAY_CONSOLE_DIR) without bundling at start.
RUN node --import tsx console/writeBundle.ts /app/console/dist
ENV NODE_ENV=production HOST=0.0.0.0
USER node
ENTRYPOINT ["node", "--import", "tsx"]
