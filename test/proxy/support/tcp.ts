/** Loopback TCP peers and probes for measuring what a proxy does to real traffic. */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

export interface Peer {
  server: Server;
  port: number;
  address: string;
  /** Server-side sockets currently open. */
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** Starts a loopback server; `onSocket` handles each accepted connection. */
export async function startPeer(onSocket: (s: Socket) => void): Promise<Peer> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.once("close", () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes everything back. */
export function startEcho(): Promise<Peer> {
  return startPeer((s) => s.pipe(s));
}

/** Port from a Toxiproxy `listen` value such as `127.0.0.1:34567` or `[::]:34567`. */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

/** Connects and resolves once connected (rejects on error). */
export function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", noDelay: true });
    s.once("connect", () => {
      s.removeListener("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** What happened to a socket: data received, and how it ended. */
export interface Observed {
  data: Buffer;
  chunks: number;
  /** 'end' (FIN), 'reset' (ECONNRESET), 'error: CODE', or 'open' if still open when asked. */
  ending: string;
  /** ms from observe() until the socket ended. */
  endedAfter: number | undefined;
}

/** Starts recording a socket; `settled(timeoutMs)` resolves when it closes or the time is up. */
export function observe(s: Socket): { now(): Observed; settled(timeoutMs: number): Promise<Observed> } {
  const t0 = performance.now();
  const parts: Buffer[] = [];
  let chunks = 0;
  let ending = "open";
  let endedAfter: number | undefined;
  let onDone: (() => void) | undefined;
  s.on("data", (c: Buffer) => {
    parts.push(c);
    chunks++;
  });
  s.on("error", (e: NodeJS.ErrnoException) => {
    if (ending === "open") ending = e.code === "ECONNRESET" ? "reset" : `error: ${e.code}`;
  });
  s.on("end", () => {
    if (ending === "open") ending = "end";
  });
  s.on("close", () => {
    if (ending === "open") ending = "end";
    endedAfter = performance.now() - t0;
    onDone?.();
  });
  const now = (): Observed => ({ data: Buffer.concat(parts), chunks, ending, endedAfter });
  return {
    now,
    settled: (timeoutMs) =>
      new Promise((resolve) => {
        if (endedAfter !== undefined) return resolve(now());
        const timer = setTimeout(() => resolve(now()), timeoutMs);
        onDone = () => {
          clearTimeout(timer);
          resolve(now());
        };
      }),
  };
}

/** Writes `msg` and resolves with the ms until `expect` bytes came back (rejects if closed first). */
export function roundTrip(s: Socket, msg: Buffer | string, expect = Buffer.byteLength(msg)): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const t0 = performance.now();
    const onData = (c: Buffer) => {
      got += c.length;
      if (got >= expect) {
        done();
        resolve(performance.now() - t0);
      }
    };
    const onClose = () => {
      done();
      reject(new Error(`connection closed after ${got} of ${expect} bytes`));
    };
    const done = () => {
      s.off("data", onData);
      s.off("close", onClose);
    };
    s.on("data", onData);
    s.once("close", onClose);
    s.write(msg);
  });
}

/** Resolves with the round-trip time, or "timeout" if nothing came back within `ms`. */
export async function roundTripWithin(s: Socket, msg: string, ms: number): Promise<number | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    roundTrip(s, msg).catch(() => "closed" as const),
    new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), ms);
    }),
  ]);
  clearTimeout(timer);
  return result === "closed" ? "timeout" : result;
}

/** Tries to connect; resolves with "connected" or the error code. */
export async function tryDial(port: number): Promise<string> {
  try {
    const s = await dial(port);
    s.destroy();
    return "connected";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
