/**
 * The fault registry is the only seam a new fault needs: a toy fault defined in this folder
 * (toy-fault.ts), registered here, is named, validated, planned, described, replayed and run like
 * the built-ins, without touching harness/.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NemesisConfigError, validateNemeses } from "../../harness/nemesis/catalog.ts";
import { describeFault, describeSchedule } from "../../harness/nemesis/describe.ts";
import type { FaultContext } from "../../harness/nemesis/fault.ts";
import { faultFromSpec } from "../../harness/nemesis/from-spec.ts";
import { BUILT_IN_FAULTS, faultDefinitions, registerFault } from "../../harness/nemesis/registry.ts";
import { healAll, type NemesisOp, runSchedule } from "../../harness/nemesis/run-schedule.ts";
import { planSchedule } from "../../harness/nemesis/schedule.ts";
import { parseSchedule } from "../../harness/nemesis/spec-schema.ts";
import { peerTopology, primaryReplicaTopology } from "./fixtures.ts";
import { raisedFlags, type ToyFlagSpec, toyFlagFault } from "./toy-fault.ts";

const pg = primaryReplicaTopology(["us-east", "eu-west"]);
const etcd = peerTopology(["a", "b", "c"]);
const env = { libfaketime: "/x" };
const ctx: FaultContext = { proxyUrl: "", topology: pg, links: [], nodes: new Map() };

describe("a fault registered from a test folder", () => {
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerFault(toyFlagFault);
  });
  afterAll(() => unregister());

  it("is listed after the built-ins", () => {
    expect(faultDefinitions().map((d) => d.kind)).toEqual([
      ...BUILT_IN_FAULTS.map((d) => d.kind),
      "toy-flag",
    ]);
  });

  it("is a nemesis name like the built-ins: kind, variants, aliases, did-you-mean, applicability", () => {
    expect(validateNemeses(["toy-flag", "flag", "toy-flag-blue", "red-flag"], pg, env)).toEqual([
      { name: "toy-flag", kind: "toy-flag" },
      { name: "flag", kind: "toy-flag" },
      { name: "toy-flag-blue", kind: "toy-flag", variant: "blue" },
      { name: "red-flag", kind: "toy-flag", variant: "red" },
    ]);
    expect(() => validateNemeses(["toy-flg"], pg, env)).toThrow(
      /unknown nemesis 'toy-flg' \(did you mean 'toy-flag'\?\) \(known: partition, .*, toy-flag; or partition-<shape> .*; or toy-flag-<color> with color one of red, blue\)/,
    );
    expect(() => validateNemeses(["toy-flag-rad"], pg, env)).toThrow(/did you mean 'toy-flag-red'/);
    expect(() => validateNemeses(["toy-flag", "kill"], etcd, env)).toThrow(
      /nemesis 'toy-flag' flies its flag on a primary, and the scenario has none/,
    );
  });

  it("plans from the seed (same seed, same schedule), mixes with built-ins, and replays from test.json", () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const opts = {
          seed,
          nemeses: ["toy-flag", "kill"],
          intervalMs: 2000,
          timeLimitMs: 30_000,
          topology: pg,
          env,
        };
        const s = planSchedule<ToyFlagSpec | { kind: "kill"; node: string }>(opts);
        expect(JSON.stringify(planSchedule(opts))).toBe(JSON.stringify(s));
        const toys = s.flatMap((f) => (f.spec.kind === "toy-flag" ? [f.spec as ToyFlagSpec] : []));
        for (const t of toys) {
          expect(t.node).toBe("pg-us-east-1");
          expect(t.heightCm).toBeGreaterThanOrEqual(10);
          expect(describeFault(t)).toBe(`${t.color} flag on pg-us-east-1 at ${t.heightCm}cm`);
        }
        expect(parseSchedule(JSON.parse(JSON.stringify(s)), pg)).toEqual(s);
        expect(describeSchedule(s)).toHaveLength(s.length);
      }),
      { numRuns: 100 },
    );
    const pinned = planSchedule<ToyFlagSpec>({
      seed: 4,
      nemeses: ["toy-flag-blue"],
      intervalMs: 2000,
      timeLimitMs: 30_000,
      topology: pg,
    });
    expect(pinned.length).toBeGreaterThan(5);
    expect(pinned.every((f) => f.spec.kind === "toy-flag" && f.spec.color === "blue")).toBe(true);
    expect(new Set(pinned.map((f) => f.spec.heightCm)).size).toBeGreaterThan(1);
  });

  it("a bad toy spec in a schedule file is named by entry and field", () => {
    const entry = (spec: object) => [{ atMs: 0, durationMs: 1, spec }];
    expect(() =>
      parseSchedule(entry({ kind: "toy-flag", node: "pg-mars-1", color: "red", heightCm: 5 }), pg),
    ).toThrow(/schedule\[0\]\.spec\.node: no node 'pg-mars-1'/);
    expect(() =>
      parseSchedule(entry({ kind: "toy-flag", node: "pg-us-east-1", color: "green", heightCm: 5 }), pg),
    ).toThrow(/schedule\[0\]\.spec\.color/);
    expect(() => parseSchedule(entry({ kind: "toy-flog", node: "pg-us-east-1" }), pg)).toThrow(
      /schedule\[0\]\.spec\.kind: .*'partition' \| .* \| 'toy-flag'/,
    );
  });

  it("runs through runSchedule: up during its window, down after, recorded as nemesis ops", async () => {
    const schedule = planSchedule<ToyFlagSpec>({
      seed: 1,
      nemeses: ["toy-flag-red"],
      intervalMs: 60,
      timeLimitMs: 250,
      faultDurationMs: 30,
      warmupMs: 0,
      topology: pg,
    });
    expect(schedule.length).toBeGreaterThanOrEqual(3);
    const ops: Array<NemesisOp & { up: boolean }> = [];
    await runSchedule(schedule, ctx, (op) => ops.push({ ...op, up: raisedFlags.has("pg-us-east-1:red") }));
    expect(ops.map((o) => `${o.phase}:${o.fault}:${o.up}`)).toEqual(
      schedule.flatMap((_, i) => [`start:${i}:true`, `stop:${i}:false`]),
    );
    expect(ops.every((o) => o.f === "toy-flag" && o.error === undefined)).toBe(true);
    expect(ops[0]!.value).toBe(`raised red flag on pg-us-east-1 at ${schedule[0]!.spec.heightCm}cm`);
    expect(ops[0]!.spec).toEqual(schedule[0]!.spec);
    expect(raisedFlags.size).toBe(0);
  });

  it("an aborted run stops it, and healAll heals one still up", async () => {
    const spec: ToyFlagSpec = { kind: "toy-flag", node: "pg-eu-west-1", color: "blue", heightCm: 50 };
    const abort = new AbortController();
    const ops: NemesisOp[] = [];
    await runSchedule(
      [{ atMs: 0, durationMs: 60_000, spec }],
      ctx,
      (op) => {
        ops.push(op);
        if (op.phase === "start") abort.abort();
      },
      abort.signal,
    );
    expect(ops.map((o) => o.phase)).toEqual(["start", "stop"]);
    expect(raisedFlags.size).toBe(0);

    const fault = faultFromSpec(spec);
    await fault.start(ctx);
    expect(raisedFlags.has("pg-eu-west-1:blue")).toBe(true);
    await fault.stop(ctx);
    expect(raisedFlags.size).toBe(0);
    expect((await healAll(ctx)).errors).toEqual([]);
  });
});

describe("registerFault", () => {
  it("refuses a kind or alias that is taken, and unregistering removes a fault", () => {
    expect(() => registerFault({ ...toyFlagFault, kind: "kill" } as unknown as typeof toyFlagFault)).toThrow(
      /fault 'kill': name already taken: kill/,
    );
    expect(() =>
      registerFault({
        ...toyFlagFault,
        kind: "toy-two",
        aliases: { crash: "toy-two" },
      } as unknown as typeof toyFlagFault),
    ).toThrow(/name already taken: crash/);
    const off = registerFault({
      ...toyFlagFault,
      kind: "toy-two",
      variants: undefined,
      aliases: undefined,
    } as unknown as typeof toyFlagFault);
    expect(validateNemeses(["toy-two"], pg, env)).toEqual([{ name: "toy-two", kind: "toy-two" }]);
    off();
    expect(() => validateNemeses(["toy-two"], pg, env)).toThrow(NemesisConfigError);
    expect(() => faultFromSpec({ kind: "toy-two" })).toThrow(
      /unknown fault kind 'toy-two' in schedule \(known: partition/,
    );
  });
});
