/**
 * The fake clocks of a run's nodes, in one temp dir every node's user can read (servers may run
 * as an unprivileged user; a run folder under a private home may not be reachable for them).
 *
 *   const clocks = await NodeClocks.create(topology.nodes.map((n) => n.name));
 *   start each node with env: clocks.env(node)       // LD_PRELOAD + FAKETIME_TIMESTAMP_FILE
 *   faultCtx.clocks = clocks.map
 *   ... finally: await clocks.dispose()
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock, requireLibfaketime } from "./faketime.ts";

/** A node's clock as clock faults see it (FakeClock is one). */
export interface NodeClock {
  readonly offsetMs: number;
  /** Sets the node's wall clock to real time + offsetMs. */
  set(offsetMs: number): Promise<void>;
}

export class NodeClocks {
  private constructor(
    readonly dir: string,
    private readonly clocks: Map<string, FakeClock>,
  ) {}

  /** Creates a clock at offset 0 for each node. Throws LibfaketimeMissingError when libfaketime is absent. */
  static async create(nodes: readonly string[], opts: { cacheSeconds?: number } = {}): Promise<NodeClocks> {
    const library = requireLibfaketime();
    const dir = mkdtempSync(join(tmpdir(), "faultline-clocks-"));
    chmodSync(dir, 0o755);
    const clocks = new Map<string, FakeClock>();
    try {
      for (const node of nodes) {
        clocks.set(node, await new FakeClock({ dir, node, library, cacheSeconds: opts.cacheSeconds }).init());
      }
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return new NodeClocks(dir, clocks);
  }

  /** Environment to start `node` with (merge over its own env). */
  env(node: string): Record<string, string> {
    const c = this.clocks.get(node);
    if (!c) throw new Error(`no fake clock for node '${node}' (have: ${[...this.clocks.keys()].join(", ")})`);
    return c.env({});
  }

  /** For `FaultContext.clocks`. */
  get map(): Map<string, NodeClock> {
    return new Map(this.clocks);
  }

  /** Removes the timestamp files; call after the nodes have stopped. */
  async dispose(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
