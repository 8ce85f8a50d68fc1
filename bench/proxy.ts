/**
 * Benchmarks faultline's Toxiproxy-compatible server against direct connections (no toxics):
 *   1. bulk throughput, client -> sink, through the proxy vs direct   (target >= 0.8x)
 *   2. a PostgreSQL request/response loop (SELECT 1), proxy vs direct (target >= 0.8x)
 *   3. added p50 latency per request/response (PostgreSQL and a 64-byte echo) (target <= 0.2 ms)
 *   4. 1,000 concurrent connections held through the proxy, all still answering
 *
 * The proxy runs in its own process (bench/proxy-child.ts), as `faultline proxy` or a
 * toxiproxy-server would; the endpoints run in this process. Trials alternate direct/proxied so
 * that background load hits both alike; medians are reported. Usage: npm run bench:proxy
 * [-- --seconds 3 --trials 3 --no-postgres --json]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Toxiproxy } from "toxiproxy-node-client";
import { resolveRunAs } from "../harness/backends/local/run-as.ts";
import { resolvePostgresBinaries } from "../harness/stores/postgres/binaries.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = option("seconds", 3);
const TRIALS = option("trials", 3);
const CONNECTIONS = option("connections", 1000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

// ---- the proxy, in its own process ----------------------------------------------------------

async function startProxyProcess(): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const childPath = fileURLToPath(new URL("./proxy-child.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", childPath], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`proxy process exited (${code}) before starting`)));
  });
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  return { url, pid, child };
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

// ---- 1. bulk throughput -------------------------------------------------------------------------

/** Bytes per second from a client writing as fast as backpressure allows to a counting sink. */
async function throughput(port: number, sinkCount: () => number, seconds: number): Promise<number> {
  const s = await dial(port);
  const block = Buffer.alloc(256 * 1024, 0x5a);
  const start = sinkCount();
  const t0 = performance.now();
  let writing = true;
  const pump = () => {
    while (writing && s.write(block)) {}
  };
  s.on("drain", pump);
  pump();
  await sleep(seconds * 1000);
  writing = false;
  const bytes = sinkCount() - start;
  const elapsed = (performance.now() - t0) / 1000;
  s.destroy();
  await sleep(100);
  return bytes / elapsed;
}

// ---- 2/3. request/response loops ----------------------------------------------------------------

interface LoopResult {
  perSecond: number;
  p50ms: number;
}

async function loop(fn: () => Promise<unknown>, seconds: number): Promise<LoopResult> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    const a = performance.now();
    await fn();
    lat.push(performance.now() - a);
  }
  return { perSecond: lat.length / ((performance.now() - t0) / 1000), p50ms: median(lat) };
}

function echoRequester(s: Socket): () => Promise<void> {
  const msg = Buffer.alloc(64, 1);
  let waiting: (() => void) | undefined;
  let got = 0;
  s.on("data", (c: Buffer) => {
    got += c.length;
    if (got >= 64 && waiting) {
      got -= 64;
      const w = waiting;
      waiting = undefined;
      w();
    }
  });
  return () =>
    new Promise<void>((resolve) => {
      waiting = resolve;
      s.write(msg);
    });
}

// ---- PostgreSQL ----------------------------------------------------------------------------------

async function startPostgres(): Promise<{ port: number; stop(): Promise<void> }> {
  const runAs = resolveRunAs();
  const bins = await resolvePostgresBinaries(runAs);
  const dir = mkdtempSync(join(tmpdir(), "faultline-bench-pg-"));
  chmodSync(dir, 0o700);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const data = join(dir, "data");
  const spawnOpts = {
    env: { ...process.env, ...bins.env, LC_ALL: "C" },
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  };
  const init = spawn(bins.initdb, ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], {
    ...spawnOpts,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let initErr = "";
  init.stderr?.on("data", (c: Buffer) => {
    initErr += c.toString();
  });
  const code = await new Promise<number | null>((r) => init.once("exit", r));
  if (code !== 0) throw new Error(`initdb failed (${code}): ${initErr}`);
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  const server = spawn(
    bins.postgres,
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
    { ...spawnOpts, stdio: ["ignore", "ignore", "ignore"] },
  );
  for (let i = 0; ; i++) {
    const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => {});
      if (i > 200 || server.exitCode !== null)
        throw new Error(`postgres did not start: ${(e as Error).message}`);
      await sleep(100);
    }
  }
  return {
    port,
    async stop() {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pgLoop(port: number, seconds: number): Promise<LoopResult> {
  const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  await c.connect();
  try {
    return await loop(() => c.query("SELECT 1"), seconds);
  } finally {
    await c.end();
  }
}

// ---- main ------------------------------------------------------------------------------------------

interface Report {
  machine: string;
  throughput: { directMBps: number; proxiedMBps: number; ratio: number };
  echo: { directP50ms: number; proxiedP50ms: number; addedP50ms: number; ratio: number };
  postgres?: { directQps: number; proxiedQps: number; ratio: number; addedP50ms: number };
  connections: { held: number; answering: number; proxyRssMiB: number };
}

async function main(): Promise<void> {
  const proxyProc = await startProxyProcess();
  const toxiproxy = new Toxiproxy(proxyProc.url);
  const cleanups: (() => Promise<unknown>)[] = [
    async () => {
      proxyProc.child.stdin?.end();
      await new Promise((r) => proxyProc.child.once("exit", r));
    },
  ];
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const report: Partial<Report> = {
      machine: `${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
    };

    // 1. throughput
    let sunk = 0;
    const sink = createServer((s) => {
      s.on("data", (c: Buffer) => {
        sunk += c.length;
      });
      s.on("error", () => {});
    });
    const sinkPort = await listen(sink);
    cleanups.push(() => new Promise((r) => sink.close(r)));
    const sinkProxy = await toxiproxy.createProxy({
      name: "bench_sink",
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${sinkPort}`,
    });
    const sinkProxyPort = Number(sinkProxy.listen.split(":").at(-1));
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let t = 0; t < TRIALS; t++) {
      direct.push(await throughput(sinkPort, () => sunk, SECONDS));
      proxied.push(await throughput(sinkProxyPort, () => sunk, SECONDS));
      log(
        `throughput trial ${t + 1}: direct ${(direct[t] / 1e6).toFixed(0)} MB/s, proxied ${(proxied[t] / 1e6).toFixed(0)} MB/s`,
      );
    }
    report.throughput = {
      directMBps: median(direct) / 1e6,
      proxiedMBps: median(proxied) / 1e6,
      ratio: median(proxied) / median(direct),
    };

    // 3a. echo request/response
    const echo = createServer((s) => {
      s.setNoDelay(true);
      s.on("error", () => {});
      s.pipe(s);
    });
    const echoPort = await listen(echo);
    cleanups.push(() => new Promise((r) => echo.close(r)));
    const echoProxy = await toxiproxy.createProxy({
      name: "bench_echo",
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${echoPort}`,
    });
    const echoProxyPort = Number(echoProxy.listen.split(":").at(-1));
    const ed: LoopResult[] = [];
    const ep: LoopResult[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const a = await dial(echoPort);
      ed.push(await loop(echoRequester(a), SECONDS));
      a.destroy();
      const b = await dial(echoProxyPort);
      ep.push(await loop(echoRequester(b), SECONDS));
      b.destroy();
      log(
        `echo trial ${t + 1}: direct p50 ${ed[t].p50ms.toFixed(3)} ms, proxied p50 ${ep[t].p50ms.toFixed(3)} ms`,
      );
    }
    const edP50 = median(ed.map((r) => r.p50ms));
    const epP50 = median(ep.map((r) => r.p50ms));
    report.echo = {
      directP50ms: edP50,
      proxiedP50ms: epP50,
      addedP50ms: epP50 - edP50,
      ratio: median(ep.map((r) => r.perSecond)) / median(ed.map((r) => r.perSecond)),
    };

    // 2/3b. PostgreSQL
    if (!flag("no-postgres")) {
      const pgServer = await startPostgres();
      cleanups.push(() => pgServer.stop());
      const pgProxy = await toxiproxy.createProxy({
        name: "bench_pg",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${pgServer.port}`,
      });
      const pgProxyPort = Number(pgProxy.listen.split(":").at(-1));
      const pd: LoopResult[] = [];
      const pp: LoopResult[] = [];
      for (let t = 0; t < TRIALS; t++) {
        pd.push(await pgLoop(pgServer.port, SECONDS));
        pp.push(await pgLoop(pgProxyPort, SECONDS));
        log(
          `postgres trial ${t + 1}: direct ${pd[t].perSecond.toFixed(0)}/s, proxied ${pp[t].perSecond.toFixed(0)}/s`,
        );
      }
      const dq = median(pd.map((r) => r.perSecond));
      const pq = median(pp.map((r) => r.perSecond));
      report.postgres = {
        directQps: dq,
        proxiedQps: pq,
        ratio: pq / dq,
        addedP50ms: median(pp.map((r) => r.p50ms)) - median(pd.map((r) => r.p50ms)),
      };
    }

    // 4. connections held
    const held: Socket[] = [];
    for (let i = 0; i < CONNECTIONS; i += 100) {
      held.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(100, CONNECTIONS - i) }, () => dial(echoProxyPort)),
        )),
      );
    }
    await sleep(2000);
    const answers = await Promise.all(
      held.map(
        (s) =>
          new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 10_000);
            s.once("data", () => {
              clearTimeout(timer);
              resolve(true);
            });
            s.once("close", () => resolve(false));
            s.write("?");
          }),
      ),
    );
    report.connections = {
      held: held.length,
      answering: answers.filter(Boolean).length,
      proxyRssMiB: rssMiB(proxyProc.pid),
    };
    for (const s of held) s.destroy();

    print(report as Report);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}

function print(r: Report): void {
  if (flag("json")) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const ok = (pass: boolean) => (pass ? "ok  " : "MISS");
  const lines = [
    `faultline proxy benchmark (${r.machine}; no toxics; proxy in its own process)`,
    `${ok(r.throughput.ratio >= 0.8)} bulk throughput     direct ${r.throughput.directMBps.toFixed(0)} MB/s, proxied ${r.throughput.proxiedMBps.toFixed(0)} MB/s: ${r.throughput.ratio.toFixed(2)}x (target >= 0.8x)`,
  ];
  if (r.postgres) {
    lines.push(
      `${ok(r.postgres.ratio >= 0.8)} postgres SELECT 1    direct ${r.postgres.directQps.toFixed(0)}/s, proxied ${r.postgres.proxiedQps.toFixed(0)}/s: ${r.postgres.ratio.toFixed(2)}x (target >= 0.8x)`,
      `${ok(r.postgres.addedP50ms <= 0.2)} postgres added p50  ${(r.postgres.addedP50ms * 1000).toFixed(0)} µs (target <= 200 µs)`,
    );
  }
  lines.push(
    `${ok(r.echo.addedP50ms <= 0.2)} echo added p50      ${(r.echo.addedP50ms * 1000).toFixed(0)} µs (direct ${(r.echo.directP50ms * 1000).toFixed(0)} µs, proxied ${(r.echo.proxiedP50ms * 1000).toFixed(0)} µs; ${r.echo.ratio.toFixed(2)}x requests/s)`,
    `${ok(r.connections.answering === r.connections.held && r.connections.held >= 1000)} connections held    ${r.connections.answering}/${r.connections.held} answering; proxy RSS ${r.connections.proxyRssMiB.toFixed(0)} MiB`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
