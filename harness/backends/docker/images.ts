/**
 * The images the docker backend runs, built from the repository and reused afterwards.
 *
 * A run must never depend on an image some registry has to serve: where none is reachable (as on
 * our CI machines) the base is made locally from Debian packages (`images/build-base.sh`:
 * debootstrap, then `docker import`); each store's image is a Dockerfile in `images/` FROM that
 * base. Tags carry a content hash of the files that make them (and of the PostgreSQL bundle's
 * version), so a changed Dockerfile gives a new image and an unchanged one is reused: the first
 * build prints progress and how long it took, later runs print nothing.
 *
 * A user may name their own images instead (environment, see the README's "Containers"):
 * `FAULTLINE_BASE_IMAGE` (e.g. `debian:bookworm` plus the packages, where a registry is
 * reachable) skips debootstrap; `FAULTLINE_IMAGE_POSTGRES` skips the build altogether and is
 * used as is, when it follows the contract.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { resolvePostgresBinaries } from "../../stores/postgres/binaries.ts";

const execFileAsync = promisify(execFile);

export const IMAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), "images");
const BUILD_BASE = join(IMAGES_DIR, "build-base.sh");
const POSTGRES_DOCKERFILE = join(IMAGES_DIR, "postgres.Dockerfile");

export type ImageProgress = (message: string) => void;

const hashOf = (...parts: string[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 12);
};

export async function imageExists(name: string): Promise<boolean> {
  try {
    await execFileAsync("docker", ["image", "inspect", name], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command, its output forwarded line by line to `progress` (prefixed), rejecting on failure. */
function runWithProgress(
  command: string,
  args: string[],
  progress: ImageProgress,
  env: Record<string, string> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (/^(base image|Step \d+\/\d+)/.test(line)) progress(line.trim());
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} failed (exit ${code}):\n${tail.join("\n")}`)),
    );
  });
}

/** The base image name: the user's (`FAULTLINE_BASE_IMAGE`), or ours, built when absent. */
export async function ensureBaseImage(progress: ImageProgress): Promise<string> {
  const own = process.env.FAULTLINE_BASE_IMAGE;
  if (own) return own;
  const name = `faultline-base:bookworm-${hashOf(readFileSync(BUILD_BASE, "utf8"))}`;
  if (await imageExists(name)) return name;
  const t0 = performance.now();
  progress(`building the base image ${name} from Debian packages (first time only, 1-3 minutes)`);
  await runWithProgress("bash", [BUILD_BASE, name], progress);
  progress(`base image ${name} ready in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return name;
}

/**
 * The PostgreSQL node image: `FAULTLINE_IMAGE_POSTGRES` as is, else `faultline-postgres:<hash>`
 * built from `images/postgres.Dockerfile` (and the base) when it is not there yet.
 */
export async function ensurePostgresImage(progress: ImageProgress): Promise<string> {
  const own = process.env.FAULTLINE_IMAGE_POSTGRES;
  if (own) {
    if (!(await imageExists(own))) {
      throw new Error(
        `FAULTLINE_IMAGE_POSTGRES=${own}: no such image here (build or load it first: docker build / docker load)`,
      );
    }
    return own;
  }
  const bins = await resolvePostgresBinaries(undefined);
  const base = await ensureBaseImage(progress);
  const name = `faultline-postgres:${hashOf(base, readFileSync(POSTGRES_DOCKERFILE, "utf8"), bins.version)}`;
  if (await imageExists(name)) return name;
  const t0 = performance.now();
  progress(`building ${name} (PostgreSQL ${bins.version} on ${base})`);
  const context = mkdtempSync(join(tmpdir(), "faultline-image-"));
  try {
    cpSync(bins.nativeDir, join(context, "pg"), { recursive: true, verbatimSymlinks: true });
    cpSync(POSTGRES_DOCKERFILE, join(context, "Dockerfile"));
    // The legacy builder: BuildKit would try to resolve the base in a registry (none here).
    await runWithProgress(
      "docker",
      ["build", "--build-arg", `BASE_IMAGE=${base}`, "-t", name, context],
      progress,
      { DOCKER_BUILDKIT: "0" },
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  progress(`image ${name} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return name;
}
