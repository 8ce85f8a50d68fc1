/**
 * Temp dirs for server data. As root, servers run as an unprivileged user who cannot enter a
 * clone under /root, so data lives under /var/tmp/faultline/runs/ in a dir that user owns;
 * otherwise under $TMPDIR/faultline-<uid>/runs/. Each is tracked by the supervisor, so it is
 * removed at the end of the run, or by the next run's reaper.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunAs } from "./run-as.ts";
import { supervisor as defaultSupervisor, type Supervisor } from "./supervisor.ts";

/** A world-traversable dir that root makes and the unprivileged user can enter. */
export const SHARED_ROOT = "/var/tmp/faultline";

/** Where temp dirs of servers running as `runAs` go. */
export function tempRoot(runAs: RunAs | undefined): string {
  if (runAs) return join(SHARED_ROOT, "runs");
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `faultline-${uid}`, "runs");
}

/**
 * Makes `dir` (and missing parents) and gives it `mode` (mkdir's mode is masked by the umask).
 * A dir that exists already is left as it is.
 */
export function mkdirWithMode(dir: string, mode: number): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
}

/**
 * Creates a fresh temp dir owned by `runAs` (mode 700), tracked by the supervisor.
 * `label` makes it recognisable (`run-20261123-pg`).
 */
export function createTempDir(
  label: string,
  runAs: RunAs | undefined,
  sup: Supervisor = defaultSupervisor,
): string {
  const root = tempRoot(runAs);
  if (runAs) {
    mkdirWithMode(SHARED_ROOT, 0o755);
    mkdirWithMode(root, 0o755);
  } else {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }
  const safe = label.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 40);
  const dir = mkdtempSync(join(root, `${safe}-`));
  sup.trackDir(dir);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  chmodSync(dir, 0o700);
  return dir;
}
