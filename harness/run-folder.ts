/**
 * The run folder: store/<test-name>/<timestamp>/ with test.json, history.jsonl, results.json,
 * reports, metrics and logs; store/latest points at the newest run.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";

export interface RunFolder {
  dir: string;
  history: string;
  testJson: string;
  results: string;
  metrics: string;
  logs: string;
}

export function runFolderPaths(dir: string): RunFolder {
  return {
    dir,
    history: join(dir, "history.jsonl"),
    testJson: join(dir, "test.json"),
    results: join(dir, "results.json"),
    metrics: join(dir, "metrics.jsonl"),
    logs: join(dir, "logs"),
  };
}

function timestamp(d: Date): string {
  // 20261123T120501.123Z: sortable, no colons (portable file names).
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.(\d+)Z$/, ".$1Z");
}

export function createRunFolder(store: string, testName: string, now = new Date()): RunFolder {
  const base = join(resolve(store), testName);
  let dir = join(base, timestamp(now));
  // Two runs started in the same millisecond still get their own folders.
  for (let i = 1; existsSync(dir); i++) dir = join(base, `${timestamp(now)}-${i}`);
  const folder = runFolderPaths(dir);
  mkdirSync(folder.logs, { recursive: true });
  pointLatestAt(resolve(store), dir);
  return folder;
}

/** store/latest -> the newest run (a relative symlink, so the store can be moved or archived). */
function pointLatestAt(store: string, dir: string): void {
  const link = join(store, "latest");
  const tmp = `${link}.${process.pid}.tmp`;
  try {
    if (existsSync(tmp)) unlinkSync(tmp);
    symlinkSync(relative(store, dir), tmp);
    renameSync(tmp, link);
  } catch {
    // A store on a filesystem without symlinks still works; only the shortcut is missing.
  }
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
