/**
 * The deployment file of the external backend: a user's own stores (a staging cluster, a managed
 * service), described so faultline can run a workload against them and fault them through the
 * Toxiproxy servers the user put in front of each node. Nothing here is started or stopped by
 * faultline. JSON or YAML; every error names the field.
 *
 * Credentials never appear in the file itself: each is `{ env: NAME }` or `{ file: PATH }`, read
 * at run time and never written to test.json, logs or reports (a string written inline is an
 * error that says so).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "../../config.ts";
import { type LinkSpec, linkName, type NodeRole, type TopologySpec } from "../../topology.ts";
import type { LayoutSpec } from "../../stores/store-driver.ts";

const hostPort = z
  .string()
  .regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, "host:port, e.g. 10.0.0.5:5432 or db.example.com:5432");

const secret = z.union(
  [z.object({ env: z.string().min(1) }).strict(), z.object({ file: z.string().min(1) }).strict()],
  {
    error: (issue) =>
      typeof issue.input === "string"
        ? "a credential must not be written inline: use { env: VARIABLE } or { file: /path/to/secret }"
        : "expected { env: VARIABLE } or { file: /path/to/secret }",
  },
);

/** Shell commands run on this machine for node faults, with FAULTLINE_NODE set to the node. */
const hooks = z
  .object({
    kill: z.string().min(1),
    start: z.string().min(1),
    pause: z.string().min(1),
    resume: z.string().min(1),
    promote: z.string().min(1),
    clock: z.string().min(1),
  })
  .partial()
  .strict();

export type NodeHooks = z.infer<typeof hooks>;

/** Roles as the file names them -> the topology's roles. */
const ROLES = { primary: "primary", standby: "replica", writer: "peer", member: "peer" } as const;

const DeploymentSchema = z
  .object({
    /** The wire protocol the nodes speak (which faultline store driver talks to them). */
    store: z.enum(["postgres", "redis"]),
    /** The layout kind the store driver deploys with (default: primary-standbys for PostgreSQL). */
    layout: z.string().optional(),
    regions: z.array(z.string().min(1)).min(1),
    /** Toxiproxy API servers by name. */
    toxiproxies: z.record(z.string(), z.object({ url: z.string().url() }).strict()).default({}),
    credentials: z
      .object({ user: secret.optional(), password: secret.optional(), database: z.string().optional() })
      .strict()
      .default({}),
    tls: z
      .object({
        /** PEM files (paths). */
        ca: z.string().optional(),
        cert: z.string().optional(),
        key: z.string().optional(),
        rejectUnauthorized: z.boolean().default(true),
        servername: z.string().optional(),
      })
      .strict()
      .optional(),
    nodes: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only"),
            region: z.string(),
            role: z.enum(["primary", "standby", "writer", "member"]),
            /** How faultline reaches the node (setup, quiesce, final state; clients when no link is declared). */
            address: hostPort,
            hooks: hooks.default({}),
          })
          .strict(),
      )
      .min(1),
    /** Links faults may act on: who dials whom, through which Toxiproxy server and proxy. */
    links: z
      .array(
        z
          .object({
            /** `clients@<region>` or a node name (replication, peer traffic). */
            from: z.string(),
            to: z.string(),
            toxiproxy: z.string(),
            /** The proxy's name on that server; created (populate) when missing. */
            proxy: z.string().min(1),
            /** Where the proxy listens (what the dialler is given). */
            listen: hostPort,
            /** The node behind it. Default: the node's address. */
            upstream: hostPort.optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type Deployment = z.infer<typeof DeploymentSchema>;
export type DeploymentNode = Deployment["nodes"][number];
export type DeploymentLink = Deployment["links"][number];

/** Reads and checks a deployment file: shape, then every cross-reference, all problems at once. */
export function loadDeployment(path: string): Deployment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`deployment file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(
      `deployment file ${path}: not valid ${/\.json$/i.test(path) ? "JSON" : "YAML"}: ${(e as Error).message}`,
    );
  }
  return checkDeployment(raw, path);
}

export function checkDeployment(raw: unknown, where = "deployment"): Deployment {
  const parsed = DeploymentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
    throw new ConfigError(`${where}: ${problems.join("; ")}`);
  }
  const d = parsed.data;
  const problems: string[] = [];
  const regions = new Set(d.regions);
  const names = new Set<string>();
  d.nodes.forEach((n, i) => {
    if (names.has(n.name)) problems.push(`nodes[${i}].name: '${n.name}' appears twice`);
    names.add(n.name);
    if (!regions.has(n.region))
      problems.push(`nodes[${i}].region: no region '${n.region}' (regions: ${d.regions.join(", ")})`);
  });
  d.links.forEach((l, i) => {
    const from = l.from.startsWith("clients@") ? l.from.slice("clients@".length) : undefined;
    if (from !== undefined && !regions.has(from))
      problems.push(`links[${i}].from: no region '${from}' (write clients@<region> or a node name)`);
    if (from === undefined && !names.has(l.from))
      problems.push(`links[${i}].from: no node '${l.from}' (write clients@<region> or a node name)`);
    if (!names.has(l.to)) problems.push(`links[${i}].to: no node '${l.to}'`);
    if (!d.toxiproxies[l.toxiproxy])
      problems.push(
        `links[${i}].toxiproxy: no Toxiproxy server '${l.toxiproxy}' under toxiproxies (have: ${Object.keys(d.toxiproxies).join(", ") || "none"})`,
      );
  });
  if (problems.length) throw new ConfigError(`${where}: ${problems.join("; ")}`);
  return d;
}

function fieldPath(path: PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("") ||
    "(file)"
  );
}

/** The layout the file describes, in the store driver's terms. */
export function deploymentLayout(d: Deployment): LayoutSpec {
  return {
    kind: d.layout ?? (d.store === "postgres" ? "primary-standbys" : "sentinel"),
    regions: d.regions,
    nodes: d.nodes.map((n) => ({ name: n.name, region: n.region, role: ROLES[n.role] as NodeRole })),
  };
}

/** The link's topology name (`client@us-east->pg-us-east-1`, `pg-eu-west-1->pg-us-east-1`). */
export function deploymentLinkSpec(d: Deployment, l: DeploymentLink): LinkSpec {
  const to = d.nodes.find((n) => n.name === l.to)!;
  if (l.from.startsWith("clients@")) {
    const from = { kind: "clients", region: l.from.slice("clients@".length) } as const;
    return { name: linkName(from, to.name), kind: "client", from, to: to.name, toRegion: to.region };
  }
  const node = d.nodes.find((n) => n.name === l.from)!;
  const from = { kind: "node", node: node.name, region: node.region } as const;
  return { name: linkName(from, to.name), kind: "replication", from, to: to.name, toRegion: to.region };
}

/** Nodes, regions and only the links the file declares: faults can act on nothing else. */
export function deploymentTopology(d: Deployment): TopologySpec {
  const layout = deploymentLayout(d);
  return {
    regions: d.regions.map((name) => ({ name })),
    nodes: layout.nodes.map((n) => ({ ...n, store: d.store as TopologySpec["nodes"][number]["store"] })),
    links: d.links.map((l) => deploymentLinkSpec(d, l)),
    // The network between the user's regions is real: no latency is added.
    latency: {},
  };
}

/** A credential's value, from its environment variable or file. */
export function readSecret(
  s: { env: string } | { file: string } | undefined,
  what: string,
): string | undefined {
  if (!s) return undefined;
  if ("env" in s) {
    const v = process.env[s.env];
    if (v === undefined)
      throw new ConfigError(`deployment credentials.${what}: environment variable ${s.env} is not set`);
    return v;
  }
  try {
    return readFileSync(s.file, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw new ConfigError(`deployment credentials.${what}: cannot read ${s.file}: ${(e as Error).message}`);
  }
}

/** TLS options for node clients (pg's `ssl`), files read now. */
export function tlsOptions(d: Deployment): Record<string, unknown> | undefined {
  if (!d.tls) return undefined;
  const read = (p: string | undefined, field: string) => {
    if (!p) return undefined;
    try {
      return readFileSync(p, "utf8");
    } catch (e) {
      throw new ConfigError(`deployment tls.${field}: cannot read ${p}: ${(e as Error).message}`);
    }
  };
  return {
    ca: read(d.tls.ca, "ca"),
    cert: read(d.tls.cert, "cert"),
    key: read(d.tls.key, "key"),
    rejectUnauthorized: d.tls.rejectUnauthorized,
    servername: d.tls.servername,
  };
}

export function splitHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(":");
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(s.slice(i + 1)) };
}
