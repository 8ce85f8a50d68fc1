/**
 * Clock faults on one node's wall clock (libfaketime, see harness/clock/faketime.ts): a bump
 * jumps it by ±deltaMs for the fault's duration; a strobe flips it between +deltaMs and its
 * previous offset every periodMs; reset puts it back to real time. Stop restores the offset the
 * node had before.
 */
import type { Fault, FaultContext, NodeClock } from "./fault.ts";
import type { ClockSpec } from "./spec.ts";

export function formatDelta(ms: number): string {
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
        return `clock ${spec.node} ${formatDelta(spec.deltaMs)}`;
      case "strobe": {
        const base = this.before;
        let up = true;
        await clock.set(base + spec.deltaMs);
        this.timer = setInterval(() => {
          up = !up;
          this.flips++;
          clock.set(up ? base + spec.deltaMs : base).catch(() => {});
        }, spec.periodMs);
        return `clock ${spec.node} strobe ${formatDelta(spec.deltaMs)} every ${spec.periodMs}ms`;
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
