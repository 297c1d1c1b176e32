#!/bin/sh
# The Presto container's entrypoint in docker-compose.yml: renders every
# template of deploy/presto (mounted at /deploy/presto; scripts/peers
# renders the same files, with the same placeholders, for the local peer)
# into a fresh etc folder, then runs the server in the foreground.
#
#   PRESTO_METASTORE   thrift://lakegate:9083     PRESTO_HEAP     2G
#   PRESTO_PORT        8080                       PRESTO_HOST     presto
#   PRESTO_DEFAULT_FS  hdfs://namenode:8020       PRESTO_NODE_ID  compose-1
#   PRESTO_ETC, PRESTO_DATA, PRESTO_LAUNCHER: where (deploy/compose_test.go
#   renders into a temporary folder with a launcher that does nothing).
set -eu
src=$(cd "$(dirname "$0")" && pwd)
etc=${PRESTO_ETC:-/opt/presto-server/etc}
data=${PRESTO_DATA:-/var/lib/presto/data}
# A fresh folder, as scripts/peers makes: the image's own catalogs
# (tpcds, memory) must not survive beside ours.
rm -rf "$etc"
mkdir -p "$etc" "$data"
cd "$src"
for f in * */*; do
  [ -f "$f" ] && [ "$f" != render.sh ] || continue
  mkdir -p "$etc/$(dirname "$f")"
  sed -e "s|@HTTP_PORT@|${PRESTO_PORT:-8080}|g" -e "s|@HOST@|${PRESTO_HOST:-presto}|g" \
      -e "s|@METASTORE@|${PRESTO_METASTORE:-thrift://lakegate:9083}|g" -e "s|@DATA_DIR@|$data|g" \
      -e "s|@ETC@|$etc|g" -e "s|@NODE_ID@|${PRESTO_NODE_ID:-compose-1}|g" -e "s|@HEAP@|${PRESTO_HEAP:-2G}|g" \
      -e "s|@DEFAULT_FS@|${PRESTO_DEFAULT_FS:-hdfs://namenode:8020}|g" "$f" > "$etc/$f"
done
exec ${PRESTO_LAUNCHER:-/opt/presto-server/bin/launcher} run --etc-dir "$etc" --data-dir "$data"
