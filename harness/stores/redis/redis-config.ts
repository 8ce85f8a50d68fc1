/**
 * The config files of a Redis server and of a Sentinel, as text. Every server and Sentinel of a
 * run shares one random password (no open Redis left behind, even on a namespace address); data
 * survives a kill (append-only file, fsync every second), so a restarted master does not come back
 * empty and wipe its replicas.
 */
import type { NodeAddress } from "../../backends/backend.ts";

/** The master's name as Sentinel monitors it. */
export const MASTER_NAME = "faultline";

export interface ServerConfig {
  bind: NodeAddress;
  dir: string;
  password: string;
  /** Set for a replica: the master it follows at start. */
  replicaOf?: NodeAddress;
  /** `min-replicas-to-write`: writes fail unless this many replicas are connected and recent. */
  minReplicasToWrite: number;
  minReplicasMaxLagS: number;
  /** The name a replica gives its master to be known by (`replica-announce-ip`): its container's
   *  network alias on the docker backend, where its own address may change across a restart. */
  announceHost?: string;
}

/** A value safe inside a Redis config line (quoted; the values here are ours, never user text). */
function q(v: string): string {
  if (!/^[A-Za-z0-9._/:-]*$/.test(v)) throw new Error(`redis config value '${v}' has unexpected characters`);
  return `"${v}"`;
}

/** What a server and a Sentinel both start with: where they listen, in the foreground, logging to
 *  stdout (the supervisor's log file), working in their own temp dir. */
function processLines(c: { bind: { host: string; port: number }; dir: string }): string[] {
  return [
    `bind ${c.bind.host}`,
    `port ${c.bind.port}`,
    "protected-mode yes",
    "daemonize no",
    'logfile ""',
    `dir ${q(c.dir)}`,
  ];
}

export function serverConfig(c: ServerConfig): string {
  const lines = [
    ...processLines(c),
    'save ""',
    "appendonly yes",
    "appendfsync everysec",
    `requirepass ${q(c.password)}`,
    `masterauth ${q(c.password)}`,
    "repl-diskless-sync no",
    `min-replicas-to-write ${c.minReplicasToWrite}`,
    `min-replicas-max-lag ${c.minReplicasMaxLagS}`,
  ];
  if (c.replicaOf) lines.push(`replicaof ${c.replicaOf.host} ${c.replicaOf.port}`);
  if (c.announceHost) lines.push(`replica-announce-ip ${q(c.announceHost)}`);
  return `${lines.join("\n")}\n`;
}

export interface SentinelConfig {
  bind: NodeAddress;
  dir: string;
  password: string;
  master: NodeAddress;
  /** Sentinels that must agree the master is down before a failover. */
  quorum: number;
  /** Replicas Sentinel knows from the start (otherwise it learns them from INFO in ~10 s). */
  replicas: NodeAddress[];
  downAfterMs: number;
  failoverTimeoutMs: number;
  /** Set where peers are known by host name (docker aliases): Sentinel resolves the names in its
   *  config, announces itself under this one, and hands clients names, not addresses. */
  announceHost?: string;
}

export function sentinelConfig(c: SentinelConfig): string {
  const m = MASTER_NAME;
  const lines = [
    ...processLines(c),
    `requirepass ${q(c.password)}`,
    // Sentinels authenticate to each other with the same password.
    `sentinel sentinel-pass ${q(c.password)}`,
    ...(c.announceHost
      ? [
          "sentinel resolve-hostnames yes",
          "sentinel announce-hostnames yes",
          `sentinel announce-ip ${q(c.announceHost)}`,
        ]
      : []),
    `sentinel monitor ${m} ${c.master.host} ${c.master.port} ${c.quorum}`,
    `sentinel auth-pass ${m} ${q(c.password)}`,
    `sentinel down-after-milliseconds ${m} ${c.downAfterMs}`,
    `sentinel failover-timeout ${m} ${c.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${m} 1`,
    ...c.replicas.map((r) => `sentinel known-replica ${m} ${r.host} ${r.port}`),
  ];
  return `${lines.join("\n")}\n`;
}
