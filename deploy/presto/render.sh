#!/bin/sh
# The Presto container's entrypoint in docker-compose.yml: renders the
# templates of deploy/presto (mounted at /deploy/presto; scripts/peers
# renders the same files for the local peer) into Presto's etc folder,
# then runs the server in the foreground.
#
#   PRESTO_METASTORE  thrift://lakegate:9083      PRESTO_HEAP  2G
#   PRESTO_PORT       8080                        PRESTO_HOST  presto
set -eu
src=/deploy/presto
etc=${PRESTO_ETC:-/opt/presto-server/etc}
data=${PRESTO_DATA:-/var/lib/presto/data}
mkdir -p "$etc/catalog" "$data"
for f in node.properties jvm.config config.properties access-control.properties access-rules.json rules.json catalog/hive.properties; do
  sed -e "s|@HTTP_PORT@|${PRESTO_PORT:-8080}|g" -e "s|@HOST@|${PRESTO_HOST:-presto}|g" \
      -e "s|@METASTORE@|${PRESTO_METASTORE:-thrift://lakegate:9083}|g" -e "s|@DATA_DIR@|$data|g" \
      -e "s|@ETC@|$etc|g" -e "s|@NODE_ID@|${PRESTO_NODE_ID:-compose-1}|g" -e "s|@HEAP@|${PRESTO_HEAP:-2G}|g" \
      "$src/$f" > "$etc/$f"
done
exec /opt/presto-server/bin/launcher run --etc-dir "$etc" --data-dir "$data"
