/**
 * Which user our servers run as. PostgreSQL refuses to run as root, and a chaos harness has no
 * business running servers as root anyway: when we are root, servers run as the unprivileged
 * system user `faultline` (or `FAULTLINE_RUN_AS_USER`), created on first use. When we are not
 * root, servers run as ourselves.
 */
import { spawnSync } from "node:child_process";

export const DEFAULT_RUN_AS_USER = "faultline";

export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

function lookupUser(user: string): RunAs | undefined {
  const res = spawnSync("getent", ["passwd", user], { encoding: "utf8" });
  if (res.status !== 0 || !res.stdout) return undefined;
  const fields = res.stdout.trim().split(":");
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) return undefined;
  return { user, uid, gid };
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

let cached: RunAs | undefined;

function configuredUser(): string {
  return process.env.FAULTLINE_RUN_AS_USER || DEFAULT_RUN_AS_USER;
}

/** The server user if we are root and it exists already (never creates it). */
export function existingRunAs(): RunAs | undefined {
  if (!isRoot()) return undefined;
  const found = cached ?? lookupUser(configuredUser());
  return found && found.uid !== 0 ? found : undefined;
}

/**
 * The identity servers should run as: undefined when we are not root (run as ourselves),
 * otherwise the unprivileged user, created with `useradd --system` when missing.
 */
export function resolveRunAs(): RunAs | undefined {
  if (!isRoot()) return undefined;
  if (cached) return cached;
  const user = configuredUser();
  let found = lookupUser(user);
  if (!found) {
    const res = spawnSync(
      "useradd",
      ["--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", user],
      { encoding: "utf8" },
    );
    // Another run may have created it at the same moment: look again before giving up.
    found = lookupUser(user);
    if (!found) {
      const why = res.error ? res.error.message : (res.stderr || `exit code ${res.status}`).trim();
      throw new Error(
        `running as root, faultline starts servers as the unprivileged user '${user}', which does not exist ` +
          `and could not be created (useradd: ${why}). Create it with ` +
          `'useradd --system --no-create-home --user-group --shell /usr/sbin/nologin ${user}', ` +
          "or set FAULTLINE_RUN_AS_USER to an existing unprivileged user, or run faultline as a normal user.",
      );
    }
  }
  if (found.uid === 0)
    throw new Error(`FAULTLINE_RUN_AS_USER='${user}' is root; servers must not run as root`);
  cached = found;
  return cached;
}

/** Whether `who` (undefined: ourselves) may access `path` with test(1)'s flag: r, w or x. */
export function canAccess(who: RunAs | undefined, path: string, flag: "r" | "w" | "x"): boolean {
  const res = spawnSync("test", [`-${flag}`, path], who ? { uid: who.uid, gid: who.gid } : {});
  return res.status === 0;
}
