/**
 * The docker backend's machinery on a real Docker daemon: node containers (loopback-published
 * ports that survive a kill and restart, pause, exec), iptables cuts between containers that heal,
 * cleanup by dispose, and reaping that removes a killed harness's containers but never a live
 * one's. Without Docker: skipped loudly locally, a failure under CI=true. The one-line error of
 * `--backend docker` without a daemon is checked everywhere (it needs no Docker).
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { dockerUnavailableReason } from "../../harness/backends/docker/docker-available.ts";
import { DockerBackend } from "../../harness/backends/docker/docker-backend.ts";
import { ensurePostgresImage } from "../../harness/backends/docker/images.ts";
import { demuxDockerLog } from "../../harness/backends/docker/node-container.ts";
import { reapDeadRuns } from "../../harness/backends/docker/reap.ts";
import { LABEL_RUN, ownerAlive, ownerId } from "../../harness/backends/docker/run-labels.ts";
import { CutSet } from "../../harness/nemesis/cuts.ts";
import { requirement } from "../support/requirements.ts";

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");

const reason = await dockerUnavailableReason();
const haveDocker = requirement(
  "Docker",
  reason === undefined,
  reason ?? "" /* the reason already says how to install or start it */,
);

/** Container names of a run, straight from the daemon (what a user's `docker ps -a` shows). */
function containersOf(runId: string): string[] {
  const out = execFileSync(
    "docker",
    ["ps", "-a", "--filter", `label=${LABEL_RUN}=${runId}`, "--format", "{{.Names}}"],
    {
      encoding: "utf8",
    },
  );
  return out.split("\n").filter(Boolean);
}

function networksOf(runId: string): string[] {
  const out = execFileSync(
    "docker",
    ["network", "ls", "--filter", `label=${LABEL_RUN}=${runId}`, "--format", "{{.Name}}"],
    {
      encoding: "utf8",
    },
  );
  return out.split("\n").filter(Boolean);
}

/** Whether `from` can open a TCP connection to host:port (bash's /dev/tcp, 2 s). */
async function canConnect(
  from: { exec(c: string[]): Promise<string> },
  host: string,
  port: number,
): Promise<boolean> {
  try {
    await from.exec(["timeout", "2", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`]);
    return true;
  } catch {
    return false;
  }
}

describe("docker log demultiplexing", () => {
  it("joins framed stdout/stderr chunks and keeps an unframed (TTY) log as is", () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxDockerLog(Buffer.concat([frame(1, "a\n"), frame(2, "b\n"), frame(1, "c")]))).toBe("a\nb\nc");
    expect(demuxDockerLog(Buffer.from("plain text\n"))).toBe("plain text\n");
  });
});

describe("run owner labels", () => {
  it("name a live owner by pid and start time; a recycled pid or a dead one is not the owner", () => {
    const me = ownerId();
    expect(me).toMatch(/^\d+:\d+$/);
    expect(ownerAlive(me)).toBe(true);
    const [pid, start] = me.split(":");
    expect(ownerAlive(`${pid}:${Number(start) + 1}`)).toBe(false); // same pid, another process
    expect(ownerAlive("999999999:1")).toBe(false);
    expect(ownerAlive(undefined)).toBe(false);
    expect(ownerAlive("garbage")).toBe(false);
  });
});

describe("--backend docker without a daemon", () => {
  it("says so in one line, naming how to start it, and exits 3", async () => {
    const res = await execFileAsync(
      process.execPath,
      [join(ROOT, "bin/faultline.mjs"), "run", "pg-async-replica", "--backend", "docker", "-t", "1"],
      { env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" }, cwd: ROOT },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(res.code).toBe(3);
    // The run's banner, then the reason in one line: no stack trace, no second try.
    const lines = res.stderr.trim().split("\n");
    const errors = lines.filter((l) => /could not run/.test(l));
    expect(errors.length).toBe(1);
    expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
    expect(errors[0]).toMatch(/--backend docker: Docker/);
    expect(errors[0]).toMatch(/dockerd|systemctl start docker|apt-get install docker\.io/);
  }, 60_000);
});

describe.skipIf(!haveDocker)("docker backend on a real daemon", () => {
  const disposers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of disposers) await d().catch(() => {});
  });

  it("runs node containers: loopback ports stable across kill and restart, pause, iptables cuts that heal, nothing left after dispose", async () => {
    const image = await ensurePostgresImage(() => {});
    const runId = `test-backend-${process.pid}-${Date.now()}`;
    const backend = await DockerBackend.create({ runId, net: "proxy", nodes: [], log: () => {} });
    disposers.push(() => backend.dispose());
    // b listens on 7000 (etcd is in the base image and needs no setup); a only dials.
    const a = await backend.startNode({ node: "a", image, command: ["sleep", "infinity"], ports: [] });
    const b = await backend.startNode({
      node: "b",
      image,
      command: [
        "etcd",
        "--listen-client-urls",
        "http://0.0.0.0:7000",
        "--advertise-client-urls",
        "http://b:7000",
        "--data-dir",
        "/tmp/etcd",
      ],
      ports: [7000],
    });
    expect(containersOf(runId).length).toBe(2);

    // Published on loopback only, at a port fixed for the container's life.
    const before = b.hostAddress(7000);
    expect(before.host).toBe("127.0.0.1");
    const health = async () =>
      (await fetch(`http://127.0.0.1:${before.port}/health`, { signal: AbortSignal.timeout(3000) })).ok;
    expect(await health()).toBe(true);
    await b.kill();
    expect(await b.running()).toBe(false);
    await b.startAgain();
    for (let i = 0; i < 50 && !(await health().catch(() => false)); i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await health()).toBe(true);
    expect(b.hostAddress(7000)).toEqual(before);

    // pause freezes it (a request times out), unpause thaws it.
    await b.pause();
    await expect(health()).rejects.toThrow();
    await b.resume();
    expect(await health()).toBe(true);

    // Containers reach each other by node name on the run network; a cut drops a -> b and heals.
    expect(await canConnect(a, "b", 7000)).toBe(true);
    const what = await backend.packets.cut(new CutSet().cut("a", "b"), "t1");
    expect(what).toEqual(["a -> b dropped (iptables in b)"]);
    expect(await canConnect(a, "b", 7000)).toBe(false);
    await backend.packets.heal("t1");
    expect(await canConnect(a, "b", 7000)).toBe(true);

    // Containers reach the harness's machine at the gateway (where proxies listen).
    expect(backend.proxyAddressForNodes({ host: backend.proxyListenHost, port: 1 }).host).toMatch(
      /^\d+\.\d+\.\d+\.1$/,
    );

    await backend.dispose();
    expect(containersOf(runId)).toEqual([]);
    expect(networksOf(runId)).toEqual([]);
  }, 180_000);

  it("reaps a killed harness's containers and network, and leaves a live one's alone", async () => {
    const image = await ensurePostgresImage(() => {});
    const live = `test-reap-live-${process.pid}-${Date.now()}`;
    const dead = `test-reap-dead-${process.pid}-${Date.now()}`;
    const mine = await DockerBackend.create({ runId: live, net: "proxy", nodes: [], log: () => {} });
    disposers.push(() => mine.dispose());
    await mine.startNode({ node: "x", image, command: ["sleep", "infinity"], ports: [] });

    // Another harness starts a container, then dies by SIGKILL (no teardown runs).
    const script = `
      import { DockerBackend } from ${JSON.stringify(join(ROOT, "harness/backends/docker/docker-backend.ts"))};
      const b = await DockerBackend.create({ runId: ${JSON.stringify(dead)}, net: "proxy", nodes: [], log: () => {} });
      await b.startNode({ node: "y", image: ${JSON.stringify(image)}, command: ["sleep", "infinity"], ports: [] });
      console.log("started");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("started") && resolve());
      child.on("exit", (code) => reject(new Error(`helper exited early (${code})`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(containersOf(dead).length).toBe(1);
    expect(networksOf(dead).length).toBe(1);

    const removed = await reapDeadRuns();
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(containersOf(dead)).toEqual([]);
    expect(networksOf(dead)).toEqual([]);
    // Our own (live owner) run is untouched.
    expect(containersOf(live).length).toBe(1);
    expect(networksOf(live).length).toBe(1);
    await mine.dispose();
    expect(containersOf(live)).toEqual([]);
  }, 180_000);
});
