/**
 * Clock faults on one node's wall clock (libfaketime, see harness/clock/faketime.ts): a bump
 * jumps it by ±deltaMs for the fault's duration; a strobe flips it between +deltaMs and its
 * previous offset every periodMs; reset puts it back to real time. Stop restores the offset the
 * node had before. The node must have been started with its fake clock's env, so a schedule's
 * clock nodes are known before nodes start (`clockNodes`).
 */
import { z } from "zod";
import { findLibfaketime } from "../../clock/faketime.ts";
import type { NodeClock } from "../../clock/node-clocks.ts";
import { type FaultDefinition, needsANode, type SpecProblem, unknownNode } from "../fault-definition.ts";
import type { Fault, FaultContext } from "../fault.ts";

/** bump: the node's clock jumps by `deltaMs` for the fault's duration, then back.
 *  strobe: the clock flips between +deltaMs and 0 every `periodMs`.
 *  reset: back to real time (a start that only resets). */
export type ClockSpec =
  | { kind: "clock"; action: "bump"; node: string; deltaMs: number }
  | { kind: "clock"; action: "strobe"; node: string; deltaMs: number; periodMs: number }
  | { kind: "clock"; action: "reset"; node: string };

function formatDelta(ms: number): string {
  const s = ms / 1000;
  return `${s >= 0 ? "+" : "-"}${Number(Math.abs(s).toFixed(3))}s`;
}

export class ClockFault implements Fault {
  readonly f = "clock";
  private before: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flips = 0;

  constructor(readonly spec: ClockSpec) {}

  private clockOf(ctx: FaultContext): NodeClock {
    const clock = ctx.clocks?.get(this.spec.node);
    if (!clock) {
      throw new Error(
        `clock: node '${this.spec.node}' has no fake clock; start it with the env of a FakeClock and pass the clock in FaultContext.clocks (have: ${[...(ctx.clocks?.keys() ?? [])].join(", ") || "none"})`,
      );
    }
    return clock;
  }

  async start(ctx: FaultContext): Promise<string> {
    const clock = this.clockOf(ctx);
    this.before = clock.offsetMs;
    const spec = this.spec;
    switch (spec.action) {
      case "bump":
        await clock.set(this.before + spec.deltaMs);
        return describeClock(spec);
      case "strobe": {
        const base = this.before;
        let up = true;
        await clock.set(base + spec.deltaMs);
        this.timer = setInterval(() => {
          up = !up;
          this.flips++;
          clock.set(up ? base + spec.deltaMs : base).catch(() => {});
        }, spec.periodMs);
        return describeClock(spec);
      }
      case "reset":
        await clock.set(0);
        return `clock ${spec.node} reset to real time (was ${formatDelta(this.before)})`;
    }
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.before === undefined || this.spec.action === "reset") return `clock ${this.spec.node} unchanged`;
    const before = this.before;
    this.before = undefined;
    await this.clockOf(ctx).set(before);
    const flips = this.spec.action === "strobe" ? ` after ${this.flips} flips` : "";
    return `clock ${this.spec.node} back to ${before === 0 ? "real time" : formatDelta(before)}${flips}`;
  }
}

function describeClock(spec: ClockSpec): string {
  switch (spec.action) {
    case "reset":
      return `clock ${spec.node} reset`;
    case "bump":
      return `clock ${spec.node} ${formatDelta(spec.deltaMs)}`;
    case "strobe":
      return `clock ${spec.node} strobe ${formatDelta(spec.deltaMs)} every ${spec.periodMs}ms`;
  }
}

export const clockFault: FaultDefinition<ClockSpec> = {
  kind: "clock",
  aliases: { skew: "clock" },
  // One object for the three actions, as test.json has always had them; checkSpec asks for the
  // fields an action needs.
  schema: z
    .object({
      kind: z.literal("clock"),
      action: z.enum(["bump", "strobe", "reset"]),
      node: z.string(),
      deltaMs: z.number().finite().optional(),
      periodMs: z.number().positive().optional(),
    })
    .strict(),
  checkSpec(spec, topology) {
    const problems: SpecProblem[] = unknownNode(topology, spec.node, "node");
    const loose = spec as { deltaMs?: number; periodMs?: number };
    if (spec.action !== "reset" && typeof loose.deltaMs !== "number")
      problems.push({ field: "deltaMs", message: `required for ${spec.action}` });
    if (spec.action === "strobe" && typeof loose.periodMs !== "number")
      problems.push({ field: "periodMs", message: "required for strobe" });
    return problems;
  },
  whyNot(choice, topology, env) {
    const noNode = needsANode(choice, topology);
    if (noNode) return noNode;
    const libfaketime = "libfaketime" in env ? env.libfaketime : findLibfaketime();
    return libfaketime
      ? undefined
      : "nemesis 'clock' needs libfaketime, which is not installed: `apt-get install libfaketime` (Debian), or set FAULTLINE_LIBFAKETIME to libfaketime.so.1";
  },
  plan(_choice, rng, { topology, maxClockSkewMs }) {
    const max = maxClockSkewMs ?? 30_000;
    const deltaMs = (rng.chance(0.5) ? 1 : -1) * rng.int(Math.min(1000, max), max);
    const node = rng.pick(topology.nodes.map((n) => n.name));
    return rng.chance(0.7)
      ? { kind: "clock", action: "bump", node, deltaMs }
      : { kind: "clock", action: "strobe", node, deltaMs, periodMs: rng.int(200, 1000) };
  },
  describe: describeClock,
  create: (spec) => new ClockFault(spec),
  clockNodes: (spec) => [spec.node],
};
