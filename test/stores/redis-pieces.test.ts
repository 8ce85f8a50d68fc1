/**
 * The pure pieces of the Redis driver: config rendering (no stray values reach a config line),
 * INFO parsing, how client errors are classified (refused or never sent: definite; timed out or
 * cut mid-command: unknown), and how Sentinel events become failovers.
 */
import { describe, expect, it } from "vitest";
import { DefiniteFailure, OpTimeout } from "../../workloads/outcome.ts";
import { parseFields, parseInfo } from "../../harness/stores/redis/direct-connection.ts";
import { FailoverWatch } from "../../harness/stores/redis/failover-watch.ts";
import { classify } from "../../harness/stores/redis/process-connections.ts";
import { sentinelConfig, serverConfig } from "../../harness/stores/redis/redis-config.ts";
import type { SentinelCluster } from "../../harness/stores/redis/sentinel-cluster.ts";

describe("Redis config", () => {
  const base = {
    bind: { host: "10.213.7.1", port: 7001 },
    dir: "/var/tmp/faultline/runs/redis-x/redis-us-east-1",
    password: "abc123",
    minReplicasToWrite: 1,
    minReplicasMaxLagS: 10,
  };

  it("renders a replica that follows its master, with auth and durability", () => {
    const text = serverConfig({ ...base, replicaOf: { host: "10.213.7.2", port: 7002 } });
    expect(text).toContain("bind 10.213.7.1\nport 7001\n");
    expect(text).toContain('requirepass "abc123"');
    expect(text).toContain('masterauth "abc123"');
    expect(text).toContain("appendonly yes");
    expect(text).toContain("min-replicas-to-write 1");
    expect(text).toMatch(/\nreplicaof 10\.213\.7\.2 7002\n$/);
    expect(serverConfig(base)).not.toContain("replicaof");
  });

  it("refuses a value that could start another config line", () => {
    expect(() => serverConfig({ ...base, password: 'x"\nreplicaof 1.2.3.4 1' })).toThrow(
      /unexpected characters/,
    );
  });

  it("renders a Sentinel that knows its replicas from the start", () => {
    const text = sentinelConfig({
      ...base,
      master: { host: "10.213.7.2", port: 7002 },
      quorum: 2,
      replicas: [{ host: "10.213.7.3", port: 7003 }],
      downAfterMs: 2000,
      failoverTimeoutMs: 6000,
    });
    expect(text).toContain("sentinel monitor faultline 10.213.7.2 7002 2");
    expect(text).toContain("sentinel known-replica faultline 10.213.7.3 7003");
    expect(text).toContain("sentinel down-after-milliseconds faultline 2000");
    expect(text).toContain('sentinel sentinel-pass "abc123"');
  });
});

describe("INFO parsing", () => {
  it("reads fields and replica lines", () => {
    const info = parseInfo(
      "# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=10.0.0.2,port=7002,state=online,offset=42,lag=0\r\nmaster_repl_offset:42\r\n",
    );
    expect(info.get("role")).toBe("master");
    expect(info.get("master_repl_offset")).toBe("42");
    expect(parseFields(info.get("slave0")!)).toEqual({
      ip: "10.0.0.2",
      port: "7002",
      state: "online",
      offset: "42",
      lag: "0",
    });
  });
});

describe("client error classification", () => {
  it("refusals and commands never sent are definite; timeouts and cut connections are not", () => {
    expect(classify(new Error("READONLY You can't write against a read only replica."), "w")).toBeInstanceOf(
      DefiniteFailure,
    );
    expect(classify(new Error("NOREPLICAS Not enough good replicas to write."), "w")).toBeInstanceOf(
      DefiniteFailure,
    );
    expect(
      classify(new Error("Reached the max retries per request limit (which is 0)."), "w"),
    ).toBeInstanceOf(DefiniteFailure);
    expect(classify(new Error("Command timed out"), "w")).toBeInstanceOf(OpTimeout);
    const cut = classify(new Error("Connection is closed."), "w");
    expect(cut).not.toBeInstanceOf(DefiniteFailure);
    expect(cut).not.toBeInstanceOf(OpTimeout);
    expect(cut.message).toBe("w: Connection is closed.");
  });
});

describe("failovers from Sentinel events", () => {
  it("one failover per switch, however many Sentinels announce it, with the master's odown time", () => {
    const nodes: Record<string, string> = { "10.0.0.1:7001": "redis-a", "10.0.0.2:7002": "redis-b" };
    const cluster = { sentinels: new Map(), nodeAt: (hp: string) => nodes[hp] } as unknown as SentinelCluster;
    let now = 0;
    const watch = new FailoverWatch(cluster, () => now);
    const hear = (sentinel: string, channel: string, message: string) =>
      (watch as unknown as { record(s: string, c: string, m: string): void }).record(
        sentinel,
        channel,
        message,
      );
    now = 1000;
    hear("s1", "+odown", "master faultline 10.0.0.1 7001 #quorum 2/2");
    now = 2200;
    hear("s1", "+switch-master", "faultline 10.0.0.1 7001 10.0.0.2 7002");
    now = 2300;
    hear("s2", "+switch-master", "faultline 10.0.0.1 7001 10.0.0.2 7002");
    expect(watch.failovers()).toEqual([
      { from: "redis-a", to: "redis-b", atMs: 2200, downAtMs: 1000, announcedBy: ["s1", "s2"] },
    ]);
  });
});
