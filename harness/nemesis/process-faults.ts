/** Crash and stall faults on node processes, through `NodeControl`. */
import type { Fault, FaultContext, NodeControl } from "./fault.ts";
import type { KillSpec, PauseSpec } from "./spec.ts";

function nodeOf(ctx: FaultContext, name: string, what: string): NodeControl {
  const node = ctx.nodes.get(name);
  if (!node) throw new Error(`${what}: no node '${name}' (nodes: ${[...ctx.nodes.keys()].join(", ")})`);
  return node;
}

/** SIGKILL at start (no shutdown, no flush), restart at stop. */
export class KillFault implements Fault {
  readonly f = "kill";
  private killed = false;
  constructor(readonly spec: KillSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const node = nodeOf(ctx, this.spec.node, "kill");
    this.killed = true;
    await node.kill();
    return `killed ${this.spec.node} (SIGKILL)`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (!this.killed) return `${this.spec.node} was not killed`;
    await nodeOf(ctx, this.spec.node, "kill").start();
    this.killed = false;
    return `restarted ${this.spec.node}`;
  }
}

/** SIGSTOP at start (queries stall, connections stay open), SIGCONT at stop. */
export class PauseFault implements Fault {
  readonly f = "pause";
  private paused = false;
  constructor(readonly spec: PauseSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const node = nodeOf(ctx, this.spec.node, "pause");
    this.paused = true;
    await node.pause();
    return `paused ${this.spec.node} (SIGSTOP)`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    if (!this.paused) return `${this.spec.node} was not paused`;
    await nodeOf(ctx, this.spec.node, "pause").resume();
    this.paused = false;
    return `resumed ${this.spec.node} (SIGCONT)`;
  }
}
