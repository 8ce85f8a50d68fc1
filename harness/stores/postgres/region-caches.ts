/**
 * The cache tier of the stale-cache scenarios: one Redis server per region (Debian's redis-server,
 * a supervised local process on loopback with a random password, nothing persisted), which the
 * PostgreSQL register clients use cache-aside (cache-aside-register-client.ts). It is part of the
 * PostgreSQL deployment because it caches that database's rows; it is not a store node (the
 * nemesis does not fault it) and clients reach their region's cache directly, as an in-region cache.
 */
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeAddress } from "../../backends/backend.ts";
import { allocatePort, LOOPBACK } from "../../backends/local/ports.ts";
import { resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import type { RegionName } from "../../topology.ts";
import { withDirect } from "../redis/direct-connection.ts";
import { findSystemBinary, missingBinary } from "../system-binary.ts";
import { SupervisedNode } from "../supervised-node.ts";

export interface RegionCaches {
  password: string;
  address(region: RegionName): NodeAddress;
  stop(): Promise<void>;
}

/** Why the cache tier cannot start here (redis-server missing), or undefined. */
export function cacheTierProblem(): string | undefined {
  return findSystemBinary("redis-server") ? undefined : missingBinary("redis-server", "redis-server");
}

export async function startRegionCaches(
  regions: RegionName[],
  logs: string,
  log: (m: string) => void,
): Promise<RegionCaches> {
  const binary = findSystemBinary("redis-server");
  if (!binary) throw new Error(missingBinary("redis-server", "redis-server"));
  const runAs = resolveRunAs();
  const work = createTempDir("cache", runAs);
  const password = randomBytes(18).toString("hex");
  const addresses = new Map<RegionName, NodeAddress>();
  const nodes: SupervisedNode[] = [];
  const stop = async () => void (await Promise.all(nodes.map((n) => n.stop().catch(() => {}))));
  try {
    for (const region of regions) {
      const address = { host: LOOPBACK, port: await allocatePort() };
      addresses.set(region, address);
      const dir = join(work, region);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const conf = join(dir, "redis.conf");
      // A cache: nothing saved, nothing appended; bound to loopback, password required.
      const text = [
        `bind ${address.host}`,
        `port ${address.port}`,
        "protected-mode yes",
        "daemonize no",
        'logfile ""',
        `dir "${dir}"`,
        'save ""',
        "appendonly no",
        `requirepass "${password}"`,
      ].join("\n");
      writeFileSync(conf, `${text}\n`, { mode: 0o600 });
      if (runAs) for (const p of [dir, conf]) chownSync(p, runAs.uid, runAs.gid);
      const node = new SupervisedNode({
        spec: { name: `cache-${region}`, region, store: "redis", role: "peer" },
        address,
        command: binary,
        args: [conf],
        cwd: dir,
        logFile: join(logs, `cache-${region}.log`),
        runAs,
        supervisor,
        probe: () => withDirect(address, { password, timeoutMs: 1000 }, async (r) => void (await r.ping())),
        readyTimeoutMs: 15_000,
      });
      nodes.push(node);
    }
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await stop();
    throw err;
  }
  log(`cache tier: Redis per region (${regions.map((r) => `${r} :${addresses.get(r)!.port}`).join(", ")})`);
  return {
    password,
    address: (region) => {
      const a = addresses.get(region);
      if (!a) throw new Error(`no cache in region ${region}`);
      return a;
    },
    stop,
  };
}
