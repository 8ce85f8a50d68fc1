/**
 * Faults on real TCP connections through faultline's in-process Toxiproxy server: partitions time
 * requests out and healing brings them back, refuse refuses, one-way stops one direction, latency
 * is measured on a client.
 */
import { connect } from "node:net";
import { Toxiproxy } from "toxiproxy-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSchedule } from "../../harness/nemesis/schedule.ts";
import type { FaultContext } from "../../harness/nemesis/fault.ts";
import { faultFromSpec } from "../../harness/nemesis/from-spec.ts";
import { applyBaseLatency } from "../../harness/nemesis/link-faults.ts";
import { FAULT_TOXIC_PREFIX, ProxyLinks } from "../../harness/nemesis/proxy-links.ts";
import { healAll, type NemesisOp, runSchedule } from "../../harness/nemesis/run-schedule.ts";
import type { ScheduledFault } from "../../harness/nemesis/spec.ts";
import { startProxyServer } from "../../harness/proxy/server.ts";
import type { RunningLink } from "../../harness/topology.ts";
import { primaryReplicaTopology } from "./fixtures.ts";
import { roundTrip, startEchoServer } from "./tcp-probe.ts";

const topology = primaryReplicaTopology(["us-east", "eu-west"]);
let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let ctx: FaultContext;

const port = (name: string) => ctx.links.find((l) => l.spec.name === name)!.listenPort;
const CROSS = "client@us-east->pg-eu-west-1";
const LOCAL = "client@us-east->pg-us-east-1";
const REPL = "pg-eu-west-1->pg-us-east-1";

beforeAll(async () => {
  echo = await startEchoServer();
  proxy = await startProxyServer({ host: "127.0.0.1", port: 0 });
  const api = new Toxiproxy(proxy.url);
  const links: RunningLink[] = [];
  for (const spec of topology.links) {
    const p = await api.createProxy({
      name: spec.name,
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${echo.port}`,
    });
    links.push({
      spec,
      listenHost: "127.0.0.1",
      listenPort: Number(p.listen.split(":").pop()),
      upstream: p.upstream,
    });
  }
  ctx = { proxyUrl: proxy.url, topology, links, nodes: new Map() };
});

afterAll(async () => {
  await proxy?.close();
  await echo?.close();
});

describe("partitions on real links", () => {
  it("blackhole: isolating eu-west times out cross-region requests, local ones still work, heal restores", async () => {
    expect((await roundTrip(port(CROSS), 2000)).ok).toBe(true);
    const fault = faultFromSpec({
      kind: "partition",
      shape: "isolate-region",
      region: "eu-west",
      mechanism: "blackhole",
    });
    const value = await fault.start(ctx);
    expect(value).toMatch(/^isolate eu-west \(blackhole\): cut .*pg-eu-west-1->pg-us-east-1 replication/);
    try {
      expect(await roundTrip(port(CROSS), 700)).toEqual({ ok: false, why: "timeout" });
      expect(await roundTrip(port(REPL), 700)).toEqual({ ok: false, why: "timeout" });
      expect((await roundTrip(port(LOCAL), 2000)).ok).toBe(true);
    } finally {
      expect(await fault.stop(ctx)).toBe("healed: isolate eu-west");
    }
    expect((await roundTrip(port(CROSS), 2000)).ok).toBe(true);
    expect((await roundTrip(port(REPL), 2000)).ok).toBe(true);
  });

  it("refuse: the proxy is disabled, connections are refused, heal re-enables it", async () => {
    const fault = faultFromSpec({
      kind: "partition",
      shape: "partial",
      region: "eu-west",
      mechanism: "refuse",
    });
    await fault.start(ctx);
    try {
      const r = await roundTrip(port(REPL), 1500);
      expect(r.ok).toBe(false);
      expect(r.ok === false && r.why !== "timeout").toBe(true);
      // partial: clients still reach every node.
      expect((await roundTrip(port(CROSS), 2000)).ok).toBe(true);
    } finally {
      await fault.stop(ctx);
    }
    expect((await roundTrip(port(REPL), 2000)).ok).toBe(true);
  });

  it("one-way: only one stream of the link is stopped", async () => {
    const fault = faultFromSpec({
      kind: "partition",
      shape: "one-way",
      from: "us-east",
      to: "eu-west",
      mechanism: "blackhole",
    });
    const value = await fault.start(ctx);
    try {
      // us-east -> eu-west is cut: on the replication link (dialled by eu-west) that is the replies.
      expect(value).toContain("pg-eu-west-1->pg-us-east-1 replication (replies only)");
      const names = await new ProxyLinks(proxy.url).toxicNames(REPL);
      expect(names.filter((n) => n.startsWith(FAULT_TOXIC_PREFIX)).map((n) => n.replace(/.*-/, ""))).toEqual([
        "downstream",
      ]);
      expect(await roundTrip(port(REPL), 700)).toEqual({ ok: false, why: "timeout" });
    } finally {
      await fault.stop(ctx);
    }
    expect((await roundTrip(port(REPL), 2000)).ok).toBe(true);
  });
});

describe("latency on real links", () => {
  it("base latency adds 2x one-way latency to a cross-region round trip, none locally; a spike adds more", async () => {
    const withLatency = {
      ...ctx,
      topology: { ...topology, latency: { "eu-west<->us-east": { latencyMs: 100, jitterMs: 0 } } },
    };
    expect(await applyBaseLatency(withLatency)).toBe(3);
    const cross = await roundTrip(port(CROSS), 5000);
    const local = await roundTrip(port(LOCAL), 5000);
    expect(cross.ok && cross.ms).toBeGreaterThanOrEqual(195);
    expect(local.ok && local.ms).toBeLessThan(150);
    const spike = faultFromSpec({
      kind: "latency",
      regions: ["us-east", "eu-west"],
      latencyMs: 200,
      jitterMs: 0,
    });
    await spike.start(withLatency);
    try {
      const slow = await roundTrip(port(CROSS), 5000);
      expect(slow.ok && slow.ms).toBeGreaterThanOrEqual(595);
    } finally {
      await spike.stop(withLatency);
    }
    // healAll removes fault toxics but keeps the base latency.
    await healAll(withLatency);
    const after = await roundTrip(port(CROSS), 5000);
    expect(after.ok && after.ms).toBeGreaterThanOrEqual(195);
    expect(after.ok && after.ms).toBeLessThan(590);
    for (const l of ctx.links) {
      const api = new ProxyLinks(proxy.url);
      for (const n of await api.toxicNames(l.spec.name)) await api.removeToxic(l.spec.name, n);
    }
  });
});

describe("bandwidth on real links", () => {
  it("a 32 KB/s limit makes a 48 KB echo take over a second; removing it restores speed", async () => {
    const payload = 48 * 1024;
    const timeEcho = () =>
      new Promise<number>((resolve, reject) => {
        const s = connect(port(CROSS), "127.0.0.1");
        const t0 = performance.now();
        let got = 0;
        s.on("connect", () => s.write(Buffer.alloc(payload, 1)));
        s.on("data", (d) => {
          got += d.length;
          if (got >= payload) {
            s.destroy();
            resolve(performance.now() - t0);
          }
        });
        s.on("error", reject);
      });
    const fast = await timeEcho();
    const fault = faultFromSpec({ kind: "bandwidth", regions: ["us-east", "eu-west"], rateKBps: 32 });
    expect(await fault.start(ctx)).toMatch(/^bandwidth us-east<->eu-west limited to 32 KB\/s on /);
    let slow: number;
    try {
      slow = await timeEcho();
    } finally {
      await fault.stop(ctx);
    }
    expect(fast).toBeLessThan(500);
    expect(slow).toBeGreaterThan(1000);
    expect(await timeEcho()).toBeLessThan(500);
  }, 20_000);
});

describe("runSchedule and healAll", () => {
  it("runs a planned schedule end to end: every start has its stop, in order, and nothing is left behind", async () => {
    const schedule = planSchedule({
      seed: 21,
      nemeses: ["partition", "latency", "bandwidth"],
      intervalMs: 300,
      faultDurationMs: 150,
      timeLimitMs: 3000,
      topology,
    });
    expect(schedule.length).toBeGreaterThanOrEqual(8);
    const ops: NemesisOp[] = [];
    await runSchedule(schedule, ctx, (op) => ops.push(op));
    expect(ops.filter((o) => o.error)).toEqual([]);
    expect(ops.length).toBe(schedule.length * 2);
    ops.forEach((o, i) => {
      expect(o.fault).toBe(Math.floor(i / 2));
      expect(o.phase).toBe(i % 2 === 0 ? "start" : "stop");
      expect(o.f).toBe(schedule[o.fault]!.spec.kind);
    });
    const links = new ProxyLinks(proxy.url);
    for (const l of ctx.links) {
      expect(await links.toxicNames(l.spec.name)).toEqual([]);
      expect(await links.isEnabled(l.spec.name)).toBe(true);
    }
  }, 20_000);

  it("starts and stops each fault at its offset and records a start and a stop for each", async () => {
    const schedule: ScheduledFault[] = [
      {
        atMs: 50,
        durationMs: 300,
        spec: { kind: "partition", shape: "isolate-region", region: "eu-west", mechanism: "blackhole" },
      },
      {
        atMs: 450,
        durationMs: 200,
        spec: { kind: "latency", regions: ["us-east", "eu-west"], latencyMs: 50, jitterMs: 0 },
      },
    ];
    const ops: Array<NemesisOp & { at: number }> = [];
    const t0 = performance.now();
    let duringPartition: Awaited<ReturnType<typeof roundTrip>> | undefined;
    const probe = (async () => {
      await new Promise((r) => setTimeout(r, 120));
      duringPartition = await roundTrip(port(CROSS), 150);
    })();
    await runSchedule(schedule, ctx, (op) => ops.push({ ...op, at: performance.now() - t0 }));
    await probe;
    expect(duringPartition).toEqual({ ok: false, why: "timeout" });
    expect(ops.map((o) => `${o.f}:${o.phase}:${o.fault}`)).toEqual([
      "partition:start:0",
      "partition:stop:0",
      "latency:start:1",
      "latency:stop:1",
    ]);
    expect(ops.every((o) => o.process === "nemesis" && o.type === "info" && !o.error)).toBe(true);
    expect(ops[0]!.at).toBeGreaterThanOrEqual(45);
    expect(ops[1]!.at).toBeGreaterThanOrEqual(345);
    expect(ops[2]!.at).toBeGreaterThanOrEqual(445);
    expect((await roundTrip(port(CROSS), 2000)).ok).toBe(true);
  });

  it("on abort, stops the running fault at once; healAll clears whatever is left", async () => {
    const ac = new AbortController();
    const ops: NemesisOp[] = [];
    const run = runSchedule(
      [
        {
          atMs: 0,
          durationMs: 60_000,
          spec: { kind: "partition", shape: "isolate-region", region: "eu-west", mechanism: "refuse" },
        },
      ],
      ctx,
      (op) => ops.push(op),
      ac.signal,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await new ProxyLinks(proxy.url).isEnabled(CROSS)).toBe(false);
    ac.abort();
    await run;
    expect(ops.map((o) => o.phase)).toEqual(["start", "stop"]);
    expect(await new ProxyLinks(proxy.url).isEnabled(CROSS)).toBe(true);

    // Leftovers from a crashed nemesis: a stray fault toxic and a disabled proxy.
    const links = new ProxyLinks(proxy.url);
    await links.addToxic(REPL, {
      name: `${FAULT_TOXIC_PREFIX}999-x`,
      type: "timeout",
      stream: "upstream",
      attributes: { timeout: 0 },
    });
    await links.setEnabled(CROSS, false);
    const report = await healAll(ctx);
    expect(report.errors).toEqual([]);
    expect(await links.toxicNames(REPL)).toEqual([]);
    expect(await links.isEnabled(CROSS)).toBe(true);
    expect((await roundTrip(port(REPL), 2000)).ok).toBe(true);
  });

  it("a failing start is recorded with its error and does not stop the schedule", async () => {
    const ops: NemesisOp[] = [];
    await runSchedule(
      [
        { atMs: 0, durationMs: 10, spec: { kind: "kill", node: "nope" } },
        {
          atMs: 20,
          durationMs: 10,
          spec: { kind: "partition", shape: "partial", region: "eu-west", mechanism: "blackhole" },
        },
      ],
      ctx,
      (op) => ops.push(op),
    );
    expect(ops[0]).toMatchObject({
      f: "kill",
      phase: "start",
      error: expect.stringMatching(/no node 'nope'/),
    });
    expect(ops.slice(2).map((o) => `${o.f}:${o.phase}:${o.error ?? "ok"}`)).toEqual([
      "partition:start:ok",
      "partition:stop:ok",
    ]);
  });
});

// The runner records nemesis ops through its HistoryWriter: the shapes must fit.
import type { OpInput } from "../../harness/run/history-writer.ts";

const _fits: (op: NemesisOp) => OpInput = (op) => op;
void _fits;
