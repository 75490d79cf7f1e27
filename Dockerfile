# One image for every Concord process; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0
USER node
ENTRYPOINT ["node", "--import", "tsx"]
