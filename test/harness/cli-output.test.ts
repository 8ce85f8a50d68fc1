/**
 * The CLI's streams and its store path: a reader that closes stdout early (`| head`) does not turn
 * the exit code into a crash, and a store directory that cannot hold a run folder fails at once
 * with exit 3 and the reason (Node's recursive mkdir spins forever on /proc/nope).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requirement } from "../support/requirements.ts";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/faultline.mjs");
const tmp = mkdtempSync(join(tmpdir(), "faultline-cli-out-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function faultline(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: tmp, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("faultline output streams", () => {
  it("a closed stdout is not a crash: the exit code is still the verdict's", async () => {
    const good = join(root, "test/fixtures/histories/cas-register-good.jsonl");
    const child = spawn(process.execPath, [bin, "check", ...Array(1500).fill(good)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Read one chunk, then close the pipe, as `| head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(stderr).not.toMatch(/EPIPE/);
    expect(code).toBe(0);
  });
});

describe("unusable store directory", () => {
  it("--store /proc/nope fails at once with exit 3 and the reason", () => {
    const started = performance.now();
    const r = faultline("run", "--store", "/proc/nope", "--time-limit", "1");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /cannot create store directory '\/proc\/nope'.*: its parent cannot hold new directories/,
    );
    expect(performance.now() - started).toBeLessThan(25_000);
  });

  it("a store path under a file fails with exit 3", () => {
    const file = join(tmp, "a-file");
    spawnSync("touch", [file]);
    const r = faultline("run", "--store", join(file, "store"), "--time-limit", "1");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is a file/);
  });

  const isRoot = process.getuid?.() === 0;
  it.runIf(requirement("root (to mount a read-only tmpfs)", isRoot, "run the tests as root"))(
    "a read-only file system says so, with exit 3",
    () => {
      const ro = join(tmp, "ro");
      mkdirSync(ro);
      const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "ro", "tmpfs", ro]);
      if (mount.status !== 0) throw new Error(`mount failed: ${mount.stderr}`);
      try {
        const r = faultline("run", "--store", join(ro, "store"), "--time-limit", "1");
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/read-only file system/);
      } finally {
        spawnSync("umount", [ro]);
      }
    },
  );
});
