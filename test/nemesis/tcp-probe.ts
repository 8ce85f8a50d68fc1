/** A line echo server and a one-shot TCP round trip, to observe what faults do to real connections. */
import { createServer, type Server, Socket } from "node:net";

export async function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.on("data", (d) => s.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export type Probe = { ok: true; ms: number } | { ok: false; why: "timeout" | "refused" | "closed" };

/** Connects, sends one line, waits for it to come back: the round trip's ms, or why it failed. */
export function roundTrip(port: number, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = new Socket();
    let done = false;
    const finish = (p: Probe) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(p);
    };
    const timer = setTimeout(() => finish({ ok: false, why: "timeout" }), timeoutMs);
    s.on("error", (e: NodeJS.ErrnoException) =>
      finish({ ok: false, why: e.code === "ECONNREFUSED" ? "refused" : "closed" }),
    );
    s.on("close", () => finish({ ok: false, why: "closed" }));
    s.on("data", () => finish({ ok: true, ms: performance.now() - t0 }));
    s.connect(port, "127.0.0.1", () => s.write("ping\n"));
  });
}
