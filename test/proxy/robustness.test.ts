/**
 * Conformance: bad peers never take the server down. A peer that resets mid-stream, a client
 * that vanishes while data is held by a toxic, and 1,000 connections opened and dropped at once.
 * After each, the API answers and new connections work.
 */
import type { Socket } from "node:net";
import { Toxiproxy } from "toxiproxy-node-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProxyServer } from "../../harness/proxy/server.ts";
import { acquireTarget, cleanup, type Target } from "./support/target.ts";
import { dial, observe, type Peer, portOf, roundTrip, sleep, startEcho, startPeer } from "./support/tcp.ts";

const FILE = "robust";
let target: Target;
let echo: Peer;

beforeAll(async () => {
  target = await acquireTarget(FILE);
  echo = await startEcho();
});

afterAll(async () => {
  await cleanup(target, FILE);
  await target.release();
  await echo.close();
});

async function proxyTo(upstream: string, label: string) {
  const proxy = await target.client.createProxy({
    name: target.name(label),
    listen: "127.0.0.1:0",
    upstream,
  });
  return { proxy, port: portOf(proxy.listen) };
}

async function stillServes(port: number): Promise<void> {
  expect((await target.http("GET", "/version")).status).toBe(200);
  const s = await dial(port);
  try {
    await roundTrip(s, "still alive");
  } finally {
    s.destroy();
  }
}

describe("peers that misbehave", () => {
  it("an upstream that resets mid-stream ends the client's connection, and the proxy keeps serving", async () => {
    // Streams data, then resets the connection while the client is still sending.
    const rude = await startPeer((s) => {
      s.write(Buffer.alloc(64 * 1024, 1));
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    try {
      const { port } = await proxyTo(rude.address, "rude");
      const { port: echoPort } = await proxyTo(echo.address, "rudeecho");
      const clients: Socket[] = [];
      const results = [];
      for (let i = 0; i < 20; i++) {
        const s = await dial(port);
        clients.push(s);
        const seen = observe(s);
        const pump = setInterval(() => s.writable && s.write(Buffer.alloc(16 * 1024, 2)), 5);
        results.push(seen.settled(5000).finally(() => clearInterval(pump)));
      }
      for (const r of await Promise.all(results)) expect(r.ending).not.toBe("open");
      await stillServes(echoPort);
    } finally {
      await rude.close();
    }
  });

  it("a client that resets while a toxic holds its data does not disturb the proxy", async () => {
    const { proxy, port } = await proxyTo(echo.address, "vanish");
    await proxy.addToxic({
      name: "slow",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    for (let i = 0; i < 20; i++) {
      const s = await dial(port);
      s.write(Buffer.alloc(32 * 1024, 3));
      setTimeout(() => s.resetAndDestroy(), 20);
    }
    await sleep(400);
    await proxy.addToxic({
      name: "t",
      type: "timeout",
      stream: "upstream",
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await target.http("DELETE", `/proxies/${proxy.name}/toxics/t`);
    await target.http("DELETE", `/proxies/${proxy.name}/toxics/slow`);
    await stillServes(port);
  });
});

describe("load", () => {
  it("1,000 connections opened at once, all proxied, then dropped at once", async () => {
    const { port } = await proxyTo(echo.address, "thousand");
    const N = 1000;
    const sockets = await Promise.all(Array.from({ length: N }, () => dial(port)));
    // Every one of them is really connected through to the upstream.
    const rtts = await Promise.all(sockets.map((s) => roundTrip(s, "x")));
    expect(rtts).toHaveLength(N);
    const upstreamOpen = echo.sockets.size;
    expect(upstreamOpen).toBeGreaterThanOrEqual(N);
    for (const s of sockets) s.resetAndDestroy();
    // The proxy closes its upstream side of each of them.
    for (let i = 0; i < 100 && echo.sockets.size > upstreamOpen - N; i++) await sleep(50);
    expect(echo.sockets.size).toBeLessThanOrEqual(upstreamOpen - N);
    await stillServes(port);
  });
});

describe("metrics (faultline's addition)", () => {
  // Toxiproxy serves /metrics only when started with -proxy-metrics / -runtime-metrics (and then
  // only its own toxiproxy_* series); faultline's server serves it with --proxy-metrics, adding
  // connection gauges. Without the flag both answer 404 (see api.test.ts).
  it("with --proxy-metrics, /metrics reports bytes and open connections per proxy in Prometheus text", async () => {
    const server = await startProxyServer({ metrics: true });
    try {
      const client = new Toxiproxy(server.url);
      const proxy = await client.createProxy({
        name: "metrics",
        listen: "127.0.0.1:0",
        upstream: echo.address,
      });
      const s = await dial(portOf(proxy.listen));
      await roundTrip(s, "12345");
      const get = async () => (await fetch(`${server.url}/metrics`)).text();
      const text = await get();
      const line = (metric: string, direction?: string) =>
        text
          .split("\n")
          .find(
            (l) =>
              l.startsWith(metric) &&
              l.includes(`proxy="${proxy.name}"`) &&
              (!direction || l.includes(`direction="${direction}"`)),
          );
      expect(line("toxiproxy_proxy_sent_bytes_total", "upstream")).toMatch(/ 5$/);
      expect(line("toxiproxy_proxy_received_bytes_total", "downstream")).toMatch(/ 5$/);
      expect(line("faultline_proxy_connections_open")).toMatch(/ 1$/);
      s.destroy();
      await sleep(200);
      const after = await get();
      expect(after).toContain(
        `faultline_proxy_connections_total{listener="${proxy.listen}",proxy="${proxy.name}"`,
      );
      expect(
        after
          .split("\n")
          .find((l) => l.startsWith("faultline_proxy_connections_open") && l.includes(proxy.name)),
      ).toMatch(/ 0$/);
    } finally {
      await server.close();
    }
  });
});
