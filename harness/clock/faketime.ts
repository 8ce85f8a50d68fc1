/**
 * Per-node clocks with libfaketime: a node process started with `clock.env()` (LD_PRELOAD plus a
 * timestamp file) sees wall-clock time shifted by whatever offset the file holds, and the nemesis
 * rewrites the file during the run. Only this node's processes are skewed; the machine's clock is
 * left alone (unlike Jepsen's `date -s`, which needs a VM per node).
 *
 * Monotonic clocks are not faked, so timeouts inside the store keep working while its wall clock
 * jumps, as with a real NTP step.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Where Debian's `libfaketime` package puts the library (and other common places). */
const CANDIDATES = [
  "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
  "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
  "/usr/lib/faketime/libfaketime.so.1",
  "/usr/local/lib/faketime/libfaketime.so.1",
  "/usr/lib64/faketime/libfaketime.so.1",
];

/** The libfaketime library path: FAULTLINE_LIBFAKETIME if set, else the first one installed. */
export function findLibfaketime(): string | undefined {
  const override = process.env.FAULTLINE_LIBFAKETIME;
  if (override) return existsSync(override) ? override : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export class LibfaketimeMissingError extends Error {
  override name = "LibfaketimeMissingError";
  constructor() {
    super(
      "clock faults need libfaketime, which is not installed: install it (Debian: `apt-get install libfaketime`) " +
        `or set FAULTLINE_LIBFAKETIME to the path of libfaketime.so.1 (looked in ${CANDIDATES.join(", ")})`,
    );
  }
}

export function requireLibfaketime(): string {
  const lib = findLibfaketime();
  if (!lib) throw new LibfaketimeMissingError();
  return lib;
}

/** libfaketime's relative offset syntax: "+12.5" or "-3" (seconds). */
export function formatOffset(offsetMs: number): string {
  const s = offsetMs / 1000;
  return `${s < 0 ? "-" : "+"}${Math.abs(s).toFixed(3)}`;
}

export interface FakeClockOptions {
  /** Directory for the timestamp file; must be readable by the node's user (it is made 0755). */
  dir: string;
  node: string;
  /** libfaketime library; found with `requireLibfaketime()` when absent. */
  library?: string;
  /** Seconds libfaketime may cache the file; 0 rereads it on every clock call (exact, slower). */
  cacheSeconds?: number;
}

/** One node's clock: start the node with `env()`, then `set`/`bump`/`reset` it while it runs. */
export class FakeClock {
  readonly node: string;
  readonly file: string;
  private readonly library: string;
  private readonly cacheSeconds: number;
  private offset = 0;

  constructor(opts: FakeClockOptions) {
    this.node = opts.node;
    this.file = join(opts.dir, `${opts.node}.faketime`);
    this.library = opts.library ?? requireLibfaketime();
    this.cacheSeconds = opts.cacheSeconds ?? 0;
  }

  /** Creates the timestamp file at offset 0; call before starting the node. */
  async init(): Promise<this> {
    await mkdir(join(this.file, ".."), { recursive: true, mode: 0o755 });
    await chmod(join(this.file, ".."), 0o755);
    await this.set(0);
    return this;
  }

  /** Environment for the node's process (merge into its env; LD_PRELOAD is prepended). */
  env(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const preload = base.LD_PRELOAD ? `${this.library} ${base.LD_PRELOAD}` : this.library;
    const env: Record<string, string> = {
      LD_PRELOAD: preload,
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_DONT_FAKE_MONOTONIC: "1",
      DONT_FAKE_MONOTONIC: "1",
    };
    if (this.cacheSeconds > 0) env.FAKETIME_CACHE_DURATION = String(this.cacheSeconds);
    else env.FAKETIME_NO_CACHE = "1";
    return env;
  }

  get offsetMs(): number {
    return this.offset;
  }

  /** Sets the node's clock to real time + offsetMs. Written atomically (tmp + rename). */
  async set(offsetMs: number): Promise<void> {
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, `${formatOffset(offsetMs)}\n`, { mode: 0o644 });
    await chmod(tmp, 0o644);
    await rename(tmp, this.file);
    this.offset = offsetMs;
  }

  /** Moves the clock by deltaMs relative to where it is now. */
  async bump(deltaMs: number): Promise<void> {
    await this.set(this.offset + deltaMs);
  }

  async reset(): Promise<void> {
    await this.set(0);
  }
}
