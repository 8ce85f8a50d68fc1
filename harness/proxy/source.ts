/**
 * Where the harness gets its Toxiproxy API from, in order of preference:
 * 1. an explicit URL (option, or the `TOXIPROXY_URL` environment variable): an external server,
 *    used as is; nothing is started or stopped;
 * 2. a `toxiproxy-server` binary on PATH, started by us on a free loopback port and stopped on
 *    release;
 * 3. faultline's own Toxiproxy-compatible server, in process.
 * The run records `kind` (and `version`) in test.json so a reader knows which one was used.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { sleep } from "../sleep.ts";
import { startProxyServer } from "./server.ts";

export type ProxySourceKind = "external" | "toxiproxy-server" | "faultline";

export interface AcquiredProxy {
  /** Base URL of the Toxiproxy API. */
  url: string;
  kind: ProxySourceKind;
  /** What GET /version answered. */
  version: string;
  /** Stops what was started for this run (nothing, for an external server). */
  release(): Promise<void>;
}

export interface AcquireProxyOptions {
  /** An explicit Toxiproxy API URL; overrides `TOXIPROXY_URL`. */
  url?: string;
  /** Skip looking for `toxiproxy-server` on PATH (e.g. to test faultline's own server). */
  noBinary?: boolean;
}

const START_TIMEOUT_MS = 10_000;

async function fetchVersion(url: string, timeoutMs = 2_000): Promise<string> {
  const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}/version answered ${res.status}`);
  const text = (await res.text()).trim();
  // 2.x answers {"version": "2.12.0"}; older releases answer the bare version.
  try {
    const parsed = JSON.parse(text) as { version?: unknown };
    if (typeof parsed.version === "string") return parsed.version;
  } catch {}
  return text;
}

/** The path of `name` on PATH if it is there and executable. */
export async function findOnPath(name: string, path = process.env.PATH ?? ""): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = addr && typeof addr === "object" ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

/** Starts `toxiproxy-server` on a free loopback port and waits until its API answers. */
export async function startToxiproxyServer(binary: string): Promise<AcquiredProxy> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ["-host", "127.0.0.1", "-port", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${binary} exited (${child.exitCode ?? child.signalCode}) before its API answered:\n${stderr}`,
      );
    }
    try {
      const version = await fetchVersion(url, 500);
      return { url, kind: "toxiproxy-server", version, release: () => stopChild(child) };
    } catch {}
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${binary} did not answer on ${url}/version within ${START_TIMEOUT_MS} ms:\n${stderr}`);
    }
    await sleep(50);
  }
}

export async function acquireProxy(opts: AcquireProxyOptions = {}): Promise<AcquiredProxy> {
  const explicit = opts.url ?? process.env.TOXIPROXY_URL;
  if (explicit) {
    const url = explicit.replace(/\/+$/, "");
    let version: string;
    try {
      version = await fetchVersion(url);
    } catch (e) {
      throw new Error(
        `the Toxiproxy server at ${url} (from ${opts.url ? "the config" : "TOXIPROXY_URL"}) does not answer: ` +
          `${(e as Error).message}. Start it, fix the URL, or unset it to let faultline run its own.`,
      );
    }
    return { url, kind: "external", version, release: async () => {} };
  }
  if (!opts.noBinary) {
    const binary = await findOnPath("toxiproxy-server");
    if (binary) return startToxiproxyServer(binary);
  }
  const server = await startProxyServer({ host: "127.0.0.1", port: 0 });
  return {
    url: server.url,
    kind: "faultline",
    version: await fetchVersion(server.url),
    release: () => server.close(),
  };
}
