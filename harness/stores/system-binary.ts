/**
 * Server binaries that come from Debian packages (redis-server, etcd): found on PATH or in the
 * directories Debian installs them to, so a harness started with a trimmed PATH still finds them.
 * A missing one is named together with the command that installs it, for preflight messages.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

const DEBIAN_DIRS = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"];

/** The first executable `name` on PATH or in Debian's binary dirs; undefined when there is none. */
export function findSystemBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...DEBIAN_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The preflight sentence for a binary that is not installed. */
export function missingBinary(name: string, debianPackage: string): string {
  return `${name} is not installed (not on PATH, nor in ${DEBIAN_DIRS.join(", ")}): apt-get install -y ${debianPackage}`;
}
