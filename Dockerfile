# lakegate: one static-ish binary (cgo for DuckDB) on Debian slim.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# duckdb_arrow: Arrow exports stream from DuckDB (engine/duckdb/export_arrow_stream.go).
RUN CGO_ENABLED=1 go build -tags duckdb_arrow -trimpath -o /out/lakegate ./cmd/lakegate

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libstdc++6 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/lakegate /usr/local/bin/lakegate
# An ordinary user: the engine's spill directory is write-only (0300) so
# queries cannot list other users' exports, and root would ignore that.
RUN useradd --system --uid 10001 --home-dir /data lakegate && mkdir -p /data && chown lakegate /data
USER lakegate
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["lakegate"]
CMD ["serve", "--lake", "/data/lake", "--addr", ":8080"]
