/**
 * What we write into a PostgreSQL data dir: cluster-wide settings (in the template, shared by
 * every node of a run), per-node settings (`faultline-node.conf`, included last), pg_hba.
 * Settings changed at runtime go through ALTER SYSTEM (postgresql.auto.conf), which wins over both.
 */

export type PgSettingValue = string | number | boolean;
export type PgSettings = Record<string, PgSettingValue>;

export const SUPERUSER = "postgres";
export const REPLICATION_USER = "replicator";
export const DATABASE = "postgres";
export const NODE_CONF = "faultline-node.conf";

/** Quotes a value for postgresql.conf / ALTER SYSTEM ('...' with '' for a quote). */
export function quoteSetting(value: PgSettingValue): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

export function renderSettings(settings: PgSettings): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k} = ${quoteSetting(v)}`)
    .join("\n");
}

/**
 * Settings every node of a run shares. Why the non-defaults:
 * - loopback only, no unix sockets (their path would have to be writable and short);
 * - wal_level = logical serves physical standbys and the logical-replication scenarios alike;
 * - wal_keep_size keeps the WAL a standby made from the template needs, however late it starts;
 * - short sender/receiver timeouts and retry interval: a cut replication link is noticed, and a
 *   healed one resumed, within seconds rather than a minute;
 * - fsync = off: faults kill processes, not the machine; the page cache survives SIGKILL, so
 *   this changes no outcome a test can observe and spares a loaded machine the syncs.
 */
export function clusterSettings(): PgSettings {
  return {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "",
    password_encryption: "scram-sha-256",
    max_connections: 200,
    shared_buffers: "32MB",
    wal_level: "logical",
    max_wal_senders: 16,
    max_replication_slots: 16,
    wal_keep_size: "1GB",
    hot_standby: true,
    wal_sender_timeout: "5s",
    wal_receiver_timeout: "5s",
    wal_retrieve_retry_interval: "1s",
    fsync: false,
    log_line_prefix: "%m [%p] %q%a ",
    log_timezone: "UTC",
    timezone: "UTC",
  };
}

/** postgresql.conf tail: the cluster settings, then the node's own file. */
export function renderClusterConf(): string {
  return `\n# --- faultline ---\n${renderSettings(clusterSettings())}\ninclude_if_exists = '${NODE_CONF}'\n`;
}

/** Password auth everywhere; never trust on TCP. */
export function renderHba(): string {
  return [
    "# faultline: password (SCRAM) authentication only, loopback and faultline's own namespace",
    "# network (10.213.0.0/16 exists only inside the run's network namespaces, see harness/netns/)",
    "local   all          all                       scram-sha-256",
    "host    all          all          127.0.0.1/32 scram-sha-256",
    `host    replication  ${REPLICATION_USER}   127.0.0.1/32 scram-sha-256`,
    "host    all          all          10.213.0.0/16 scram-sha-256",
    `host    replication  ${REPLICATION_USER}   10.213.0.0/16 scram-sha-256`,
    "",
  ].join("\n");
}

/** libpq connection string a standby uses to reach its upstream (directly or through a proxy). */
export function primaryConninfo(opts: {
  host: string;
  port: number;
  password: string;
  applicationName: string;
}): string {
  // The password is generated hex, the name is a node name: neither needs libpq quoting, but
  // quote anyway so that a custom node name with spaces cannot break the string.
  const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return [
    `host=${q(opts.host)}`,
    `port=${opts.port}`,
    `user=${REPLICATION_USER}`,
    `password=${q(opts.password)}`,
    `application_name=${q(opts.applicationName)}`,
    "sslmode=disable",
    "connect_timeout=2",
  ].join(" ");
}

/** `synchronous_standby_names` value: any one of these standbys must confirm. */
export function synchronousStandbyNames(names: string[], quorum = 1): string {
  return `ANY ${quorum} (${names.map((n) => `"${n.replace(/"/g, '""')}"`).join(", ")})`;
}
