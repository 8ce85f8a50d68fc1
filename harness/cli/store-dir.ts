/**
 * Makes sure the store directory (where run folders go) exists and is writable before a run
 * starts anything, so a bad `--store` fails at once with the reason and exit 3. It creates the path
 * one component at a time on purpose: Node 20's `mkdirSync(p, { recursive: true })` spins at 100%
 * CPU forever on paths like /proc/nope, where mkdir keeps answering ENOENT.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

export class StoreDirError extends Error {
  override name = "StoreDirError";
}

function why(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case "EROFS":
      return "read-only file system";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is a file, not a directory";
    case "ENOENT":
      return "its parent cannot hold new directories";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return e.message;
  }
}

/** Creates `store` if needed and proves it writable; returns its absolute path. */
export function prepareStoreDir(store: string): string {
  const abs = resolve(store);
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        throw new StoreDirError(`cannot use store directory '${store}': ${why(err)}`);
    }
    if (isDir === false) throw new StoreDirError(`cannot use store directory '${store}': ${p} is a file`);
    if (isDir) break;
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new StoreDirError(`cannot create store directory '${store}' (at ${p}): ${why(err)}`);
    }
  }
  const probe = `${abs}/.faultline-write-test-${process.pid}`;
  try {
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (err) {
    throw new StoreDirError(`cannot write in store directory '${store}': ${why(err)}`);
  }
  return abs;
}
