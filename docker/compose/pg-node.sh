#!/bin/sh
# A PostgreSQL node of the compose layout (docker-compose.yml), run as the container's command:
#   pg-node.sh primary
#   pg-node.sh standby HOST:PORT     (stream from HOST:PORT: the primary, through the proxy)
# On first start the node copies the image's never-started template (/opt/faultline/template), so
# a standby shares its primary's system identifier without pg_basebackup; the primary then sets
# the real passwords (FAULTLINE_PG_PASSWORD) in single-user mode, and standbys replay that from its
# WAL. Settings are faultline's cluster settings (harness/stores/postgres/pg-config.ts), except
# that the server listens on the container's network and admits SCRAM logins from its subnet.
# postgres then replaces this shell as PID 1, so `docker kill`/`docker stop` reach it directly.
set -eu
role="${1:?usage: pg-node.sh primary | standby HOST:PORT}"
node="${FAULTLINE_NODE:?set FAULTLINE_NODE to the node name}"
password="${FAULTLINE_PG_PASSWORD:?set FAULTLINE_PG_PASSWORD}"
case "$password" in *[!A-Za-z0-9_.-]*) echo "FAULTLINE_PG_PASSWORD: letters, digits, '_', '.', '-' only" >&2; exit 2 ;; esac
data=/var/lib/faultline/pgdata

if [ ! -s "$data/PG_VERSION" ]; then
  mkdir -p /var/lib/faultline
  cp -a /opt/faultline/template "$data"
  cat >> "$data/postgresql.conf" <<CONF

# --- faultline (compose layout) ---
listen_addresses = '*'
cluster_name = '$node'
password_encryption = 'scram-sha-256'
max_connections = 200
shared_buffers = '32MB'
wal_level = 'logical'
max_wal_senders = 16
max_replication_slots = 16
wal_keep_size = '1GB'
hot_standby = on
wal_sender_timeout = '5s'
wal_receiver_timeout = '5s'
wal_retrieve_retry_interval = '1s'
fsync = off
unix_socket_directories = '/tmp'
log_line_prefix = '%m [%p] %q%a '
log_timezone = 'UTC'
timezone = 'UTC'
CONF
  cat > "$data/pg_hba.conf" <<HBA
# faultline (compose layout): password (SCRAM) authentication only, own subnet only
local   all          all                  scram-sha-256
host    all          all          samenet scram-sha-256
host    replication  replicator   samenet scram-sha-256
HBA
  case "$role" in
    primary)
      echo "ALTER ROLE postgres PASSWORD '$password'; CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$password';" |
        su postgres -s /bin/sh -c "postgres --single -D $data postgres" >/dev/null
      ;;
    standby)
      upstream="${2:?usage: pg-node.sh standby HOST:PORT}"
      touch "$data/standby.signal"
      echo "primary_conninfo = 'host=${upstream%:*} port=${upstream##*:} user=replicator password=$password application_name=$node sslmode=disable connect_timeout=2'" \
        >> "$data/postgresql.conf"
      ;;
    *) echo "unknown role '$role' (primary or standby)" >&2; exit 2 ;;
  esac
  chown -R postgres:postgres "$data"
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$data"
