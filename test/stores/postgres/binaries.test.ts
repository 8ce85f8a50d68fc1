/**
 * The bundle's binaries must run as the server user even when the clone is private (under
 * /root) and npm skipped the postinstall that restores the lib symlinks: then they are copied
 * once to a readable cache with the symlinks restored.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, resolveRunAs } from "../../../harness/backends/local/run-as.ts";
import { parseSysvShm } from "../../../harness/backends/local/sysv-shm.ts";
import { mkdirWithMode, SHARED_ROOT } from "../../../harness/backends/local/temp-dir.ts";
import { resolvePostgresBinaries } from "../../../harness/stores/postgres/binaries.ts";

const cleanup: string[] = [];
const emptyDirs: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  for (const dir of emptyDirs) {
    try {
      rmdirSync(dir); // only if empty: another run of this test may still use it
    } catch {}
  }
});

describe("PostgreSQL binaries", () => {
  it("run in place from the installed bundle", async () => {
    const bins = await resolvePostgresBinaries(resolveRunAs());
    expect(bins.version).toMatch(/^\d+\./);
    const res = spawnSync(bins.postgres, ["--version"], {
      encoding: "utf8",
      env: { ...process.env, ...bins.env },
    });
    expect(res.stdout).toMatch(/PostgreSQL\) \d+/);
  });

  it("a private bundle without lib symlinks is copied to a readable cache, symlinks restored", async () => {
    const installed = await resolvePostgresBinaries(resolveRunAs());
    // A clone in a private dir (mode 700, like /root), as npm 11 leaves it: no lib symlinks.
    const privateHome = mkdtempSync(join(tmpdir(), "faultline-private-"));
    cleanup.push(privateHome);
    chmodSync(privateHome, 0o700);
    const nativeDir = join(privateHome, "native");
    cpSync(installed.nativeDir, nativeDir, { recursive: true, verbatimSymlinks: true });
    rmSync(join(nativeDir, ".faultline-complete"), { force: true });
    unlinkSync(join(nativeDir, "lib", "libpq.so.5"));
    unlinkSync(join(nativeDir, "lib", "libicuuc.so.60"));

    const runAs = resolveRunAs();
    const cacheParent = isRoot()
      ? join(SHARED_ROOT, "test-cache")
      : mkdtempSync(join(tmpdir(), "faultline-cache-"));
    if (isRoot()) mkdirWithMode(cacheParent, 0o755);
    emptyDirs.push(cacheParent);
    const cacheDir = join(cacheParent, `pg-test-${process.pid}-${Date.now()}`);
    cleanup.push(cacheDir);
    const bins = await resolvePostgresBinaries(runAs, { bundle: { nativeDir, version: "test" }, cacheDir });

    expect(bins.nativeDir).toBe(cacheDir);
    expect(lstatSync(join(cacheDir, "lib", "libpq.so.5")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(cacheDir, "lib", "libicuuc.so.60"))).toBe("libicuuc.so.60.2");
    // resolvePostgresBinaries has run `postgres --version` as the server user; check initdb too.
    const res = spawnSync(bins.initdb, ["--version"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, ...bins.env },
      uid: runAs?.uid,
      gid: runAs?.gid,
    });
    expect(res.stderr).toBe("");
    expect(res.stdout).toMatch(/initdb \(PostgreSQL\)/);
    expect(existsSync(join(cacheDir, ".faultline-complete"))).toBe(true);
  });
});

describe("SysV shared memory table", () => {
  it("parses /proc/sysvipc/shm columns by name", () => {
    const text = [
      "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid",
      "   1539081      65542   600                    56 22478 22486      0   999   995   999   995",
      "   1523672      32778   600                    56 20367 20373      2   999   995   999   995",
    ].join("\n");
    expect(parseSysvShm(text)).toEqual([
      { shmid: 65542, nattch: 0, uid: 999 },
      { shmid: 32778, nattch: 2, uid: 999 },
    ]);
  });
});
