import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRecords, selfIdentity, writeRecord } from "../../harness/backends/local/pid-registry.ts";
import { allocatePort, isAddressInUse } from "../../harness/backends/local/ports.ts";
import { parseProcStat, readProcStat } from "../../harness/backends/local/proc-stat.ts";
import { descendantsOf } from "../../harness/backends/local/process-tree.ts";
import { reapLeftovers } from "../../harness/backends/local/reap.ts";
import { assertRemovable, Supervisor } from "../../harness/backends/local/supervisor.ts";

// A server stand-in that forks like PostgreSQL does: one child in the leader's group, one that
// left for a session of its own (setsid), so that a group signal alone would miss it.
const FORKING_SERVER = ["-c", 'sleep 300 & setsid sleep 301 & echo started; echo "FOO=$FOO"; wait'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}

let work: string;
let savedPidDir: string | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "faultline-supervisor-test-"));
  savedPidDir = process.env.FAULTLINE_PID_DIR;
  process.env.FAULTLINE_PID_DIR = join(work, "pids");
});

afterAll(() => {
  if (savedPidDir === undefined) delete process.env.FAULTLINE_PID_DIR;
  else process.env.FAULTLINE_PID_DIR = savedPidDir;
  rmSync(work, { recursive: true, force: true });
});

describe("proc stat", () => {
  it("parses a comm with spaces and parentheses", () => {
    const line = "42 (a (b) c) S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 123456 0 0";
    expect(parseProcStat(line)).toMatchObject({
      pid: 42,
      comm: "a (b) c",
      state: "S",
      ppid: 1,
      pgid: 42,
      startTime: 123456,
    });
  });

  it("reads this process", () => {
    expect(readProcStat(process.pid)?.pid).toBe(process.pid);
    expect(readProcStat(2 ** 22 + 7)).toBeUndefined();
  });
});

describe("ports", () => {
  it("hands out distinct free ports", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => allocatePort()));
    expect(new Set(ports).size).toBe(20);
    expect(isAddressInUse('could not bind IPv4 address "127.0.0.1": Address already in use')).toBe(true);
    expect(isAddressInUse("database system is ready")).toBe(false);
  });
});

describe("supervisor", () => {
  it("logs, records a pid file, pauses and kills the whole tree", async () => {
    const sup = new Supervisor();
    const logFile = join(work, "a.log");
    writeFileSync(logFile, "earlier run\n");
    const proc = await sup.spawn({
      name: "fake-a",
      command: "sh",
      args: FORKING_SERVER,
      logFile,
      env: { FOO: "bar" },
    });
    await until(() => descendantsOf(proc.pid).length === 2);
    const tree = [readProcStat(proc.pid)!, ...descendantsOf(proc.pid)];
    expect(readProcStat(proc.pid)?.pgid).toBe(proc.pid); // detached: a group of its own
    expect(tree.some((p) => p.pgid !== proc.pid)).toBe(true); // the setsid child
    await until(() => readFileSync(logFile, "utf8").includes("FOO=bar"));
    expect(readFileSync(logFile, "utf8").startsWith("earlier run\n")).toBe(true); // appended

    const records = listRecords().records.filter((r) => r.record.process?.pid === proc.pid);
    expect(records).toHaveLength(1);
    expect(records[0]!.record.owner.pid).toBe(process.pid);

    await proc.pause();
    expect(tree.every((p) => readProcStat(p.pid)?.state === "T")).toBe(true);
    await proc.resume();
    expect(tree.every((p) => readProcStat(p.pid)?.state !== "T")).toBe(true);

    await proc.kill();
    for (const p of tree) expect(readProcStat(p.pid)?.state ?? "gone").toMatch(/gone|Z/);
    await until(() => !existsSync(records[0]!.file)); // removed once the leader is reaped
  });

  it("stopAll stops gracefully, SIGKILLs what ignores the stop signal, removes tracked dirs", async () => {
    const sup = new Supervisor();
    const polite = await sup.spawn({
      name: "polite",
      command: "sleep",
      args: ["300"],
      logFile: join(work, "p.log"),
    });
    const stubborn = await sup.spawn({
      name: "stubborn",
      command: "sh",
      args: ["-c", "trap '' TERM; sleep 300 & wait; sleep 300"],
      logFile: join(work, "s.log"),
      stopTimeoutMs: 500,
    });
    await until(() => descendantsOf(stubborn.pid).length === 1);
    const stubbornChild = descendantsOf(stubborn.pid)[0]!;
    const dir = join(work, "data-1");
    mkdirSync(dir);
    sup.trackDir(dir);
    const result = await sup.stopAll();
    expect(result).toEqual({ stopped: 2, removedDirs: 1, errors: [] });
    expect(polite.running).toBe(false);
    expect(stubborn.running).toBe(false);
    expect(readProcStat(stubbornChild.pid)?.state ?? "gone").toMatch(/gone|Z/);
    expect(existsSync(dir)).toBe(false);
    expect(sup.processes).toHaveLength(0);
  });

  it("killAllSync kills every tree without awaiting anything", async () => {
    const sup = new Supervisor();
    const proc = await sup.spawn({
      name: "b",
      command: "sh",
      args: FORKING_SERVER,
      logFile: join(work, "b.log"),
    });
    await until(() => descendantsOf(proc.pid).length === 2);
    const tree = [proc.pid, ...descendantsOf(proc.pid).map((p) => p.pid)];
    const dir = join(work, "data-2");
    mkdirSync(dir);
    sup.trackDir(dir);
    sup.killAllSync();
    for (const pid of tree) expect(readProcStat(pid)?.state ?? "gone").toMatch(/gone|Z/);
    expect(existsSync(dir)).toBe(false);
  });

  it("reports a binary that cannot be started", async () => {
    const sup = new Supervisor();
    await expect(
      sup.spawn({
        name: "nope",
        command: join(work, "no-such-binary"),
        args: [],
        logFile: join(work, "n.log"),
      }),
    ).rejects.toThrow(/could not start nope/);
  });

  it("refuses to remove directories that are not temp dirs", () => {
    expect(() => assertRemovable("/")).toThrow(/refusing/);
    expect(() => assertRemovable(tmpdir())).toThrow(/refusing/);
    expect(() => assertRemovable("relative/dir")).toThrow(/refusing/);
    expect(() => assertRemovable(join(work, "x"))).not.toThrow();
  });
});

describe("reapLeftovers", () => {
  it("kills processes and removes dirs of a dead owner, and leaves a live owner's alone", async () => {
    const sup = new Supervisor();
    const orphan = await sup.spawn({
      name: "orphan",
      command: "sh",
      args: FORKING_SERVER,
      logFile: join(work, "o.log"),
    });
    await until(() => descendantsOf(orphan.pid).length === 2);
    const orphanTree = [orphan.pid, ...descendantsOf(orphan.pid).map((p) => p.pid)];
    const orphanDir = join(work, "orphan-data");
    mkdirSync(orphanDir);
    // Same pid as ours but another start time: a recycled pid, i.e. a dead owner.
    const deadOwner = { pid: process.pid, startTime: selfIdentity().startTime - 1 };
    writeRecord({
      owner: deadOwner,
      process: { pid: orphan.pid, startTime: orphan.startTime, name: "orphan", command: "sh" },
      dirs: [],
    });
    writeRecord({ owner: deadOwner, dirs: [orphanDir] });

    const kept = await sup.spawn({
      name: "kept",
      command: "sleep",
      args: ["300"],
      logFile: join(work, "k.log"),
    });
    const keptDir = join(work, "kept-data");
    mkdirSync(keptDir);
    sup.trackDir(keptDir);

    const result = await reapLeftovers();
    expect(result).toEqual({ killed: 1, removedDirs: 1 });
    for (const pid of orphanTree) expect(readProcStat(pid)?.state ?? "gone").toMatch(/gone|Z/);
    expect(existsSync(orphanDir)).toBe(false);
    expect(kept.running).toBe(true);
    expect(existsSync(keptDir)).toBe(true);
    expect(listRecords().records.some((r) => r.record.owner.startTime === deadOwner.startTime)).toBe(false);

    expect(await reapLeftovers()).toEqual({ killed: 0, removedDirs: 0 });
    await sup.stopAll();
  });
});
