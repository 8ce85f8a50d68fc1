/**
 * Conformance: what each toxic does to real TCP traffic on loopback, measured; and that adding,
 * changing and removing toxics applies to connections already open. Margins are wide (the
 * machine is shared): latencies are asserted against lower bounds with generous upper bounds.
 */
import type { Socket } from "node:net";
import type { Toxic } from "toxiproxy-node-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acquireTarget, cleanup, type Target } from "./support/target.ts";
import {
  dial,
  observe,
  type Peer,
  portOf,
  roundTrip,
  roundTripWithin,
  sleep,
  startEcho,
  startPeer,
  tryDial,
} from "./support/tcp.ts";

const FILE = "toxics";
let target: Target;
let echo: Peer;
const open: Socket[] = [];

beforeAll(async () => {
  target = await acquireTarget(FILE);
  echo = await startEcho();
});

afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
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

async function connectTo(port: number): Promise<Socket> {
  const s = await dial(port);
  open.push(s);
  return s;
}

// biome-ignore lint/suspicious/noExplicitAny: the client's toxic body type is generic per toxic
type AnyToxicBody = any;

function addToxic(
  proxy: { addToxic(body: AnyToxicBody): Promise<Toxic<unknown>> },
  type: string,
  attributes: Record<string, number>,
  extra: Record<string, unknown> = {},
) {
  return proxy.addToxic({ type, attributes, stream: "downstream", toxicity: 1, ...extra });
}

async function median(s: Socket, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await roundTrip(s, "ping"));
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)];
}

describe("latency", () => {
  it("adds the latency to each round trip, on an already-open connection, and stops when removed", async () => {
    const { proxy, port } = await proxyTo(echo.address, "latency");
    const s = await connectTo(port);
    expect(await median(s, 5)).toBeLessThan(50);
    const toxic = await addToxic(proxy, "latency", { latency: 150, jitter: 0 });
    const slow = await median(s, 3);
    expect(slow).toBeGreaterThanOrEqual(145);
    expect(slow).toBeLessThan(600);
    await toxic.remove();
    expect(await median(s, 5)).toBeLessThan(50);
  });

  it("applies upstream too, and both directions add up", async () => {
    const { proxy, port } = await proxyTo(echo.address, "latency2");
    await addToxic(proxy, "latency", { latency: 100, jitter: 0 }, { stream: "upstream" });
    await addToxic(proxy, "latency", { latency: 100, jitter: 0 }, { stream: "downstream" });
    const s = await connectTo(port);
    const rtt = await median(s, 3);
    expect(rtt).toBeGreaterThanOrEqual(195);
    expect(rtt).toBeLessThan(800);
  });

  it("jitter spreads the delay within latency ± jitter", async () => {
    const { proxy, port } = await proxyTo(echo.address, "jitter");
    await addToxic(proxy, "latency", { latency: 100, jitter: 80 });
    const s = await connectTo(port);
    const times: number[] = [];
    for (let i = 0; i < 16; i++) times.push(await roundTrip(s, "ping"));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...times)).toBeLessThan(180 + 400);
    // 16 draws from a 160 ms wide window: a spread under 20 ms would be astronomically unlikely.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(20);
  });

  it("an update takes effect on open connections", async () => {
    const { proxy, port } = await proxyTo(echo.address, "latencyupd");
    const s = await connectTo(port);
    const toxic = await addToxic(proxy, "latency", { latency: 20, jitter: 0 });
    expect(await median(s, 3)).toBeLessThan(150);
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 250, jitter: 0 } });
    expect(await median(s, 3)).toBeGreaterThanOrEqual(245);
  });

  it("removing it delivers what it held at once, in order", async () => {
    const { proxy, port } = await proxyTo(echo.address, "latencyflush");
    const toxic = await addToxic(proxy, "latency", { latency: 5000, jitter: 0 });
    const s = await connectTo(port);
    const seen = observe(s);
    for (const part of ["one ", "two ", "three"]) {
      s.write(part);
      await sleep(20);
    }
    await sleep(100);
    expect(seen.now().data.length).toBe(0);
    const t0 = performance.now();
    await toxic.remove();
    for (let i = 0; i < 100 && seen.now().data.length < 13; i++) await sleep(10);
    expect(seen.now().data.toString()).toBe("one two three");
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it("toxicity 0 leaves connections untouched", async () => {
    const { proxy, port } = await proxyTo(echo.address, "toxicity0");
    await addToxic(proxy, "latency", { latency: 300, jitter: 0 }, { toxicity: 0 });
    const s = await connectTo(port);
    expect(await median(s, 3)).toBeLessThan(100);
  });
});

describe("bandwidth", () => {
  it("limits throughput to rate KB/s", async () => {
    let received = 0;
    let doneAt = 0;
    const total = 400_000;
    const t0 = performance.now();
    const sink = await startPeer((s) =>
      s.on("data", (c: Buffer) => {
        received += c.length;
        if (received >= total && !doneAt) doneAt = performance.now();
      }),
    );
    try {
      const { proxy, port } = await proxyTo(sink.address, "bandwidth");
      await addToxic(proxy, "bandwidth", { rate: 200 }, { stream: "upstream" }); // 200 KB/s
      const s = await connectTo(port);
      s.write(Buffer.alloc(total, 7));
      for (let i = 0; i < 100 && received < total; i++) await sleep(100);
      expect(received).toBe(total);
      const seconds = (doneAt - t0) / 1000;
      // 400 KB at 200 KB/s is 2 s; allow for start-up and a loaded machine.
      expect(seconds).toBeGreaterThan(1.6);
      expect(seconds).toBeLessThan(6);
    } finally {
      await sink.close();
    }
  });
});

describe("timeout", () => {
  it("timeout 0 drops data and holds the connection; removing the toxic closes it", async () => {
    const { proxy, port } = await proxyTo(echo.address, "blackhole");
    const s = await connectTo(port);
    await roundTrip(s, "before");
    const toxic = await addToxic(proxy, "timeout", { timeout: 0 }, { stream: "upstream" });
    const seen = observe(s);
    expect(await roundTripWithin(s, "lost", 400)).toBe("timeout");
    expect(seen.now()).toMatchObject({ ending: "open", chunks: 0 });
    await toxic.remove();
    const after = await seen.settled(3000);
    expect(after.ending).toBe("end");
    expect(after.data.length).toBe(0);
  });

  it("timeout N closes the connection after N ms without passing data", async () => {
    const { proxy, port } = await proxyTo(echo.address, "timeoutn");
    await addToxic(proxy, "timeout", { timeout: 300 });
    const s = await connectTo(port);
    const seen = observe(s);
    s.write("hello");
    const result = await seen.settled(5000);
    expect(result.ending).toBe("end");
    expect(result.data.length).toBe(0);
    expect(result.endedAfter).toBeGreaterThanOrEqual(250);
    expect(result.endedAfter).toBeLessThan(3000);
  });

  it("new connections are blackholed too while the toxic is present", async () => {
    const { proxy, port } = await proxyTo(echo.address, "blackholenew");
    await addToxic(proxy, "timeout", { timeout: 0 });
    const s = await connectTo(port);
    expect(await roundTripWithin(s, "x", 400)).toBe("timeout");
  });
});

describe("reset_peer", () => {
  it("resets the connection (ECONNRESET) after the timeout once data flows", async () => {
    const { proxy, port } = await proxyTo(echo.address, "reset");
    await addToxic(proxy, "reset_peer", { timeout: 200 }, { stream: "upstream" });
    const s = await connectTo(port);
    const seen = observe(s);
    s.write("hello");
    const result = await seen.settled(5000);
    expect(result.ending).toBe("reset");
    expect(result.data.length).toBe(0);
    expect(result.endedAfter).toBeGreaterThanOrEqual(150);
  });
});

describe("slow_close", () => {
  it("delays the close by delay ms", async () => {
    const closer = await startPeer((s) => s.end("bye"));
    try {
      const { proxy, port } = await proxyTo(closer.address, "slowclose");
      const direct = observe(await connectTo(port));
      const fast = await direct.settled(3000);
      expect(fast.ending).toBe("end");
      expect(fast.endedAfter).toBeLessThan(200);
      await addToxic(proxy, "slow_close", { delay: 500 });
      const slow = observe(await connectTo(port));
      const r = await slow.settled(5000);
      expect(r.data.toString()).toBe("bye");
      expect(r.ending).toBe("end");
      expect(r.endedAfter).toBeGreaterThanOrEqual(450);
    } finally {
      await closer.close();
    }
  });
});

describe("slicer", () => {
  it("delivers the same bytes in many small slices", async () => {
    const payload = Buffer.alloc(2000);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const sender = await startPeer((s) => s.end(payload));
    try {
      const { proxy, port } = await proxyTo(sender.address, "slicer");
      await addToxic(proxy, "slicer", { average_size: 50, size_variation: 10, delay: 2000 });
      const r = await observe(await connectTo(port)).settled(10_000);
      expect(r.data.equals(payload)).toBe(true);
      // 2000 bytes in ~50-byte slices 2 ms apart: far more reads than the one or two without it.
      expect(r.chunks).toBeGreaterThan(10);
    } finally {
      await sender.close();
    }
  });
});

describe("limit_data", () => {
  it("passes exactly `bytes` bytes, then closes", async () => {
    const sender = await startPeer((s) => s.write(Buffer.alloc(5000, 1)));
    try {
      const { proxy, port } = await proxyTo(sender.address, "limit");
      await addToxic(proxy, "limit_data", { bytes: 1234 });
      const r = await observe(await connectTo(port)).settled(5000);
      expect(r.data.length).toBe(1234);
      expect(r.ending).toBe("end");
    } finally {
      await sender.close();
    }
  });
});

describe("enable, disable, delete, reset", () => {
  it("disabling closes open connections and refuses new ones; enabling restores service", async () => {
    const { proxy, port } = await proxyTo(echo.address, "disable");
    const s = await connectTo(port);
    await roundTrip(s, "hi");
    const seen = observe(s);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    const r = await seen.settled(3000);
    expect(r.ending).not.toBe("open");
    expect(await tryDial(port)).toBe("ECONNREFUSED");
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const s2 = await connectTo(port);
    await roundTrip(s2, "back");
  });

  it("deleting a proxy closes its connections", async () => {
    const { proxy, port } = await proxyTo(echo.address, "deleteconn");
    const s = await connectTo(port);
    await roundTrip(s, "hi");
    const seen = observe(s);
    await proxy.remove();
    expect((await seen.settled(3000)).ending).not.toBe("open");
  });

  it("reset removes toxics from open connections", async () => {
    const { proxy, port } = await proxyTo(echo.address, "resetconn");
    const s = await connectTo(port);
    await addToxic(proxy, "latency", { latency: 300, jitter: 0 });
    expect(await roundTrip(s, "slow")).toBeGreaterThanOrEqual(290);
    await target.client.reset();
    expect(await median(s, 3)).toBeLessThan(100);
  });
});

describe("upstream down", () => {
  it("a client of a proxy whose upstream is down is closed promptly, not left hanging", async () => {
    const gone = await startPeer(() => {});
    const address = gone.address;
    await gone.close();
    const { port } = await proxyTo(address, "down");
    const t0 = performance.now();
    let s: Socket;
    try {
      s = await connectTo(port);
    } catch (e) {
      // The reset can arrive before the client has seen its own connect complete (a proxy in
      // another process answers that fast): closed promptly all the same.
      expect((e as NodeJS.ErrnoException).code).toBe("ECONNRESET");
      expect(performance.now() - t0).toBeLessThan(2000);
      return;
    }
    const r = await observe(s).settled(5000);
    expect(r.ending).not.toBe("open");
    expect(r.endedAfter).toBeLessThan(2000);
  });
});
