import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Prng } from "../../harness/generator/prng.ts";
import {
  CutSet,
  clientEndpoint,
  endpointsOf,
  isClientEndpoint,
  linkCuts,
} from "../../harness/nemesis/cuts.ts";
import { bisect, checkShape, cutsForShape, majority } from "../../harness/nemesis/shapes.ts";
import { peerTopology, primaryReplicaTopology } from "./fixtures.ts";

const REGIONS = ["us-east", "eu-west", "ap-south", "sa-east", "af-south"];

/** A peer topology of 1..5 regions with 1..3 nodes each, plus a seed for the shape's choices. */
const world = fc
  .record({
    regions: fc.integer({ min: 1, max: 5 }),
    perRegion: fc.integer({ min: 1, max: 3 }),
    seed: fc.nat(),
  })
  .map(({ regions, perRegion, seed }) => ({
    topo: peerTopology(REGIONS.slice(0, regions), perRegion),
    rng: new Prng(seed),
  }));

const nodesOf = (t: ReturnType<typeof peerTopology>) => t.nodes.map((n) => n.name);

describe("partition shapes keep their promises", () => {
  it("majorities ring: every node hears from a majority, and no two hear from the same set", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.nodes.length >= 3),
        ({ topo, rng }) => {
          const order = rng.shuffle(nodesOf(topo));
          const cuts = cutsForShape(topo, { shape: "majorities-ring", order });
          const heard = order.map((x) =>
            order
              .filter((y) => cuts.reaches(y, x))
              .sort()
              .join(","),
          );
          for (const h of heard) expect(h.split(",").length).toBeGreaterThanOrEqual(majority(order.length));
          expect(new Set(heard).size).toBe(order.length);
          // Clients are left alone.
          for (const [a, b] of cuts.pairs()) expect(isClientEndpoint(a) || isClientEndpoint(b)).toBe(false);
        },
      ),
    );
  });

  it("bridge: the bridge node talks to both sides, the sides cannot talk to each other", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.nodes.length >= 3),
        ({ topo, rng }) => {
          const order = rng.shuffle(nodesOf(topo));
          const cuts = cutsForShape(topo, { shape: "bridge", order });
          const [a, b] = bisect(order);
          const hub = b[0]!;
          for (const x of order) {
            expect(cuts.reaches(hub, x)).toBe(true);
            expect(cuts.reaches(x, hub)).toBe(true);
          }
          for (const x of a)
            for (const y of b.slice(1)) expect(cuts.reaches(x, y) || cuts.reaches(y, x)).toBe(false);
          for (const x of a) for (const y of a) expect(cuts.reaches(x, y)).toBe(true);
        },
      ),
    );
  });

  it("one-way: cuts from->to only, never the reverse, and nothing else", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.regions.length >= 2),
        ({ topo, rng }) => {
          const [from, to] = rng.sample(
            topo.regions.map((r) => r.name),
            2,
          ) as [string, string];
          const cuts = cutsForShape(topo, { shape: "one-way", from, to });
          const regionOf = (e: string) =>
            isClientEndpoint(e) ? e.slice(7) : topo.nodes.find((n) => n.name === e)!.region;
          expect(cuts.size).toBeGreaterThan(0);
          for (const [x, y] of cuts.pairs()) {
            expect(regionOf(x)).toBe(from);
            expect(regionOf(y)).toBe(to);
            expect(cuts.isCut(y, x)).toBe(false);
          }
          // On links: every cut is one stream only.
          for (const c of linkCuts(cuts, topo.links)) expect(c.upstream !== c.downstream).toBe(true);
        },
      ),
    );
  });

  it("partial: replication/peer links of the region are cut, every client link is intact", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.regions.length >= 2),
        ({ topo, rng }) => {
          const region = rng.pick(topo.regions.map((r) => r.name));
          const cuts = cutsForShape(topo, { shape: "partial", region });
          const affected = linkCuts(cuts, topo.links);
          expect(affected.length).toBeGreaterThan(0);
          for (const c of affected) {
            expect(c.link.kind).not.toBe("client");
            expect(c.upstream && c.downstream).toBe(true);
          }
          for (const r of topo.regions) {
            for (const n of topo.nodes) expect(cuts.reaches(clientEndpoint(r.name), n.name)).toBe(true);
          }
        },
      ),
    );
  });

  it("isolate-region: endpoints reach each other exactly when both or neither are in the region", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.regions.length >= 2),
        ({ topo, rng }) => {
          const region = rng.pick(topo.regions.map((r) => r.name));
          const cuts = cutsForShape(topo, { shape: "isolate-region", region });
          const inside = (e: string) =>
            isClientEndpoint(e)
              ? e === clientEndpoint(region)
              : topo.nodes.find((n) => n.name === e)!.region === region;
          const all = endpointsOf(topo);
          for (const x of all) for (const y of all) expect(cuts.reaches(x, y)).toBe(inside(x) === inside(y));
        },
      ),
    );
  });

  it("halves and majority-minority: two sides, no node link across; halves differ in size by at most one", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.nodes.length >= 3),
        ({ topo, rng }) => {
          const nodes = nodesOf(topo);
          const order = rng.shuffle(nodes);
          const halves = cutsForShape(topo, { shape: "halves", order });
          const [a, b] = bisect(order);
          expect(Math.abs(a.length - b.length)).toBeLessThanOrEqual(1);
          for (const x of a)
            for (const y of b) expect(halves.reaches(x, y) || halves.reaches(y, x)).toBe(false);
          const minority = rng.sample(nodes, rng.int(1, nodes.length - majority(nodes.length)));
          expect(checkShape(topo, { shape: "majority-minority", minority })).toBeUndefined();
          const mm = cutsForShape(topo, { shape: "majority-minority", minority });
          const rest = nodes.filter((n) => !minority.includes(n));
          expect(rest.length).toBeGreaterThanOrEqual(majority(nodes.length));
          for (const x of minority) for (const y of rest) expect(mm.isCut(x, y) && mm.isCut(y, x)).toBe(true);
        },
      ),
    );
  });

  it("scope 'peers' drops every pair that involves clients", () => {
    fc.assert(
      fc.property(
        world.filter(({ topo }) => topo.regions.length >= 2),
        ({ topo, rng }) => {
          const region = rng.pick(topo.regions.map((r) => r.name));
          const cuts = cutsForShape(topo, { shape: "isolate-region", region, scope: "peers" });
          for (const [x, y] of cuts.pairs()) expect(isClientEndpoint(x) || isClientEndpoint(y)).toBe(false);
        },
      ),
    );
  });
});

describe("cuts on a PostgreSQL-like topology", () => {
  const topo = primaryReplicaTopology(["us-east", "eu-west"]);

  it("isolating eu-west blackholes replication and cross-region clients both ways, not local clients", () => {
    const cuts = cutsForShape(topo, { shape: "isolate-region", region: "eu-west" });
    const names = linkCuts(cuts, topo.links).map((c) => `${c.link.name}:${c.upstream}/${c.downstream}`);
    expect(names.sort()).toEqual(
      [
        "client@eu-west->pg-us-east-1:true/true",
        "client@us-east->pg-eu-west-1:true/true",
        "pg-eu-west-1->pg-us-east-1:true/true",
      ].sort(),
    );
  });

  it("checkShape explains what is missing", () => {
    const one = primaryReplicaTopology(["us-east"]);
    expect(checkShape(one, { shape: "isolate-region", region: "us-east" })).toMatch(
      /needs at least 2 regions; the scenario has 1/,
    );
    expect(checkShape(topo, { shape: "isolate-region", region: "mars" })).toMatch(/no region 'mars'/);
    expect(checkShape(topo, { shape: "majorities-ring", order: ["a", "b", "c"] })).toMatch(
      /at least 3 nodes/,
    );
  });

  it("CutSet.complete cuts exactly across components", () => {
    const c = CutSet.complete([["a", "b"], ["c"]]);
    expect(c.pairs()).toEqual([
      ["a", "c"],
      ["b", "c"],
      ["c", "a"],
      ["c", "b"],
    ]);
  });
});
