/**
 * replication-backlog: the seeds' "replication backlog after an outage", made by throttling every
 * replication link (node-to-node links of kind "replication", proxied) to a trickle while clients
 * keep writing: changes pile up on the sending side, lag grows, and once the throttle lifts the
 * backlog drains. The lag probes record it over time by region pair (metrics.jsonl, the report's
 * lag chart). Needs a replicated scenario run with `--net proxy`.
 */
import { z } from "zod";
import type { FaultDefinition, SpecProblem } from "../fault-definition.ts";
import type { Fault, FaultContext } from "../fault.ts";
import { newFaultTag } from "../fault-id.ts";
import { ProxyLinks } from "../proxy-links.ts";
import type { TopologySpec } from "../../topology.ts";

export const REPLICATION_BACKLOG = "replication-backlog";

export interface ReplicationBacklogSpec {
  kind: "replication-backlog";
  /** Proxied replication links throttled (by name). */
  links: string[];
  /** The throttle, KB/s, in each direction. */
  rateKBps: number;
}

const replicationLinks = (topology: TopologySpec) =>
  topology.links.filter((l) => l.kind === "replication").map((l) => l.name);

export class ReplicationBacklogFault implements Fault {
  readonly f = REPLICATION_BACKLOG;
  private readonly tag = newFaultTag(REPLICATION_BACKLOG);

  constructor(readonly spec: ReplicationBacklogSpec) {}

  async start(ctx: FaultContext): Promise<string> {
    const proxy = ProxyLinks.of(ctx);
    for (const link of this.spec.links) {
      for (const stream of ["upstream", "downstream"] as const) {
        await proxy.addToxic(link, {
          name: `${this.tag}-${stream}`,
          type: "bandwidth",
          stream,
          attributes: { rate: this.spec.rateKBps },
        });
      }
    }
    return `replication throttled to ${this.spec.rateKBps} KB/s on ${this.spec.links.join(", ")}`;
  }

  async stop(ctx: FaultContext): Promise<string> {
    await ProxyLinks.of(ctx).removeToxicsWithPrefix(this.spec.links, this.tag);
    return `replication throttle lifted on ${this.spec.links.join(", ")}: the backlog drains`;
  }
}

export const replicationBacklogFault: FaultDefinition<ReplicationBacklogSpec> = {
  kind: REPLICATION_BACKLOG,
  schema: z
    .object({
      kind: z.literal(REPLICATION_BACKLOG),
      links: z.array(z.string()).min(1),
      rateKBps: z.number().positive(),
    })
    .strict(),
  checkSpec(spec, topology): SpecProblem[] {
    const known = replicationLinks(topology);
    return spec.links
      .filter((l) => !known.includes(l))
      .map((l) => ({
        field: "links",
        message: `no replication link '${l}' (replication links: ${known.join(", ") || "none"})`,
      }));
  },
  whyNot: (choice, topology) =>
    replicationLinks(topology).length === 0
      ? `nemesis '${choice.name}' throttles proxied replication links; this scenario has none (a replicated scenario, run with --net proxy)`
      : undefined,
  plan: (_choice, _rng, { topology }) => ({
    kind: REPLICATION_BACKLOG,
    links: replicationLinks(topology),
    // A trickle: far below what the workload writes, so a backlog builds.
    rateKBps: 2,
  }),
  describe: (spec) =>
    `replication-backlog: ${spec.links.length} replication link(s) throttled to ${spec.rateKBps} KB/s`,
  create: (spec) => new ReplicationBacklogFault(spec),
};
