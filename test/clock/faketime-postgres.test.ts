/**
 * A skewed PostgreSQL: the server runs with libfaketime preloaded and a timestamp file; the clock
 * fault rewrites the file and `select now()` moves by the bump, then back. Needs libfaketime
 * (Debian package `libfaketime`); skipped with a note otherwise.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Supervisor } from "../../harness/backends/local/supervisor.ts";
import { FakeClock, findLibfaketime } from "../../harness/clock/faketime.ts";
import { ClockFault } from "../../harness/nemesis/faults/clock.ts";
import type { FaultContext } from "../../harness/nemesis/fault.ts";
import type { RunningPostgresNode } from "../../harness/stores/postgres/postgres-node.ts";
import {
  type PrimaryWithStandbys,
  startPrimaryWithStandbys,
} from "../../harness/stores/postgres/primary-with-standbys.ts";
import { requirement } from "../support/requirements.ts";

const lib = findLibfaketime();
const NODE = `pg-clock-${process.pid}`;

describe.runIf(requirement("libfaketime", !!lib, "apt-get install libfaketime"))(
  "clock faults on a real PostgreSQL (libfaketime)",
  () => {
    const sup = new Supervisor();
    let runDir: string;
    let clockDir: string;
    let cluster: PrimaryWithStandbys;
    let pg: RunningPostgresNode;
    let clock: FakeClock;
    let ctx: FaultContext;

    /** The server's now() minus ours, in ms. */
    const skewMs = async (): Promise<number> => {
      const before = Date.now();
      const res = await pg.query<{ t: string }>("SELECT extract(epoch FROM clock_timestamp())::text AS t");
      const after = Date.now();
      return Number(res.rows[0]!.t) * 1000 - (before + after) / 2;
    };
    const nowSkewMs = async (): Promise<number> => {
      const res = await pg.query<{ t: string }>("SELECT extract(epoch FROM now())::text AS t");
      return Number(res.rows[0]!.t) * 1000 - Date.now();
    };

    beforeAll(async () => {
      runDir = mkdtempSync(join(tmpdir(), "faultline-clock-"));
      // The server runs as an unprivileged user: it must be able to reach and read the timestamp file.
      clockDir = mkdtempSync(join(tmpdir(), "faultline-clock-files-"));
      chmodSync(clockDir, 0o755);
      clock = await new FakeClock({ dir: clockDir, node: NODE }).init();
      cluster = await startPrimaryWithStandbys({
        runDir,
        supervisor: sup,
        primary: {
          node: { name: NODE, region: "us-east", store: "postgres", role: "primary" },
          env: clock.env({}),
        },
        standbys: [],
        upstreamFor: () => {
          throw new Error("no standbys");
        },
      });
      pg = cluster.primary;
      ctx = {
        proxyUrl: "",
        topology: { regions: [], nodes: [], links: [], latency: {} },
        links: [],
        nodes: new Map(),
        clocks: new Map([[NODE, clock]]),
      };
    }, 120_000);

    afterAll(async () => {
      await cluster?.stop().catch(() => {});
      await sup.stopAll();
      rmSync(runDir, { recursive: true, force: true });
      rmSync(clockDir, { recursive: true, force: true });
    });

    it("starts at real time, a +12 s bump moves now() by 12 s, stop puts it back", async () => {
      expect(Math.abs(await skewMs())).toBeLessThan(1500);
      const fault = new ClockFault({ kind: "clock", action: "bump", node: NODE, deltaMs: 12_000 });
      expect(await fault.start(ctx)).toBe(`clock ${NODE} +12s`);
      const bumped = await nowSkewMs();
      expect(bumped).toBeGreaterThan(10_500);
      expect(bumped).toBeLessThan(13_500);
      expect(await fault.stop(ctx)).toBe(`clock ${NODE} back to real time`);
      expect(Math.abs(await nowSkewMs())).toBeLessThan(1500);
    });

    it("a negative bump moves it back in time", async () => {
      const fault = new ClockFault({ kind: "clock", action: "bump", node: NODE, deltaMs: -30_000 });
      await fault.start(ctx);
      try {
        const s = await skewMs();
        expect(s).toBeLessThan(-28_500);
        expect(s).toBeGreaterThan(-31_500);
      } finally {
        await fault.stop(ctx);
      }
    });

    it("strobe flips the clock between +delta and real time", async () => {
      const fault = new ClockFault({
        kind: "clock",
        action: "strobe",
        node: NODE,
        deltaMs: 60_000,
        periodMs: 150,
      });
      await fault.start(ctx);
      const seen = new Set<"up" | "down">();
      try {
        for (let i = 0; i < 40 && seen.size < 2; i++) {
          const s = await skewMs();
          if (s > 55_000) seen.add("up");
          else if (Math.abs(s) < 5_000) seen.add("down");
          await new Promise((r) => setTimeout(r, 40));
        }
      } finally {
        await fault.stop(ctx);
      }
      expect([...seen].sort()).toEqual(["down", "up"]);
      expect(Math.abs(await skewMs())).toBeLessThan(1500);
    });
  },
);

describe("clock without libfaketime", () => {
  it("names the package to install", async () => {
    const saved = process.env.FAULTLINE_LIBFAKETIME;
    process.env.FAULTLINE_LIBFAKETIME = "/nonexistent/libfaketime.so.1";
    try {
      expect(findLibfaketime()).toBeUndefined();
      expect(() => new FakeClock({ dir: "/tmp", node: "x" })).toThrow(/apt-get install libfaketime/);
    } finally {
      if (saved === undefined) delete process.env.FAULTLINE_LIBFAKETIME;
      else process.env.FAULTLINE_LIBFAKETIME = saved;
    }
  });
});
