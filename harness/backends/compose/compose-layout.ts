/**
 * The running compose layout (docker-compose.yml at the top of the repository, or a user's own
 * that follows it): found by labels, not by file, so `docker compose up -d` from anywhere works.
 * A node is a container labelled `org.faultline.node` (with `.region` and `.role`) publishing
 * 5432 on loopback; the proxy is the container labelled `org.faultline.proxy`, publishing its
 * Toxiproxy API (8474) and the ports client links may listen on (21000-...).
 * With several faultline compose projects up, COMPOSE_PROJECT_NAME picks one.
 */
import { getContainerRuntimeClient } from "testcontainers";
import { configureTestcontainers } from "../docker/testcontainers-env.ts";

export const LABEL_COMPOSE_NODE = "org.faultline.node";
export const LABEL_COMPOSE_PROXY = "org.faultline.proxy";
const LABEL_PROJECT = "com.docker.compose.project";
export const PROXY_API_PORT = 8474;
/** Container ports from here up are client-link ports (docker-compose.yml publishes 21000-21007). */
export const CLIENT_PORT_BASE = 21000;

export interface ComposeNode {
  name: string;
  region: string;
  role: string;
  containerId: string;
  running: boolean;
}

export interface ComposeLayout {
  project: string;
  nodes: ComposeNode[];
  proxy: {
    containerId: string;
    apiUrl: string;
    /** Client-link ports: where the proxy listens in its container, and the host's published port. */
    clientPorts: { container: number; host: number }[];
  };
}

export class ComposeLayoutMissing extends Error {
  override name = "ComposeLayoutMissing";
}

const HOW =
  "build the images and start it: `npm run docker:images && docker compose up -d` (or `docker-compose up -d`) in the faultline directory";

/** Finds the layout; throws ComposeLayoutMissing (one line, what to do) when there is none. */
export async function findComposeLayout(): Promise<ComposeLayout> {
  configureTestcontainers();
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const all = await docker.listContainers({ all: true, filters: { label: [LABEL_PROJECT] } });
  const ours = all.filter((c) => c.Labels[LABEL_COMPOSE_NODE] || c.Labels[LABEL_COMPOSE_PROXY]);
  const projects = [...new Set(ours.map((c) => c.Labels[LABEL_PROJECT]!))];
  const wanted = process.env.COMPOSE_PROJECT_NAME;
  if (projects.length === 0) throw new ComposeLayoutMissing(`no faultline compose layout is running: ${HOW}`);
  if (wanted && !projects.includes(wanted))
    throw new ComposeLayoutMissing(
      `COMPOSE_PROJECT_NAME=${wanted}: no faultline compose layout of that name (running: ${projects.join(", ")})`,
    );
  if (!wanted && projects.length > 1)
    throw new ComposeLayoutMissing(
      `several faultline compose layouts are running (${projects.join(", ")}): pick one with COMPOSE_PROJECT_NAME`,
    );
  const project = wanted ?? projects[0]!;
  const mine = ours.filter((c) => c.Labels[LABEL_PROJECT] === project);
  const proxy = mine.find((c) => c.Labels[LABEL_COMPOSE_PROXY]);
  if (!proxy || proxy.State !== "running")
    throw new ComposeLayoutMissing(
      `compose project ${project} has no running proxy service (labelled ${LABEL_COMPOSE_PROXY}): ${HOW}`,
    );
  const published = (port: number) =>
    proxy.Ports.find((p) => p.PrivatePort === port && p.Type === "tcp" && p.PublicPort && p.IP !== "::")
      ?.PublicPort;
  const api = published(PROXY_API_PORT);
  if (!api)
    throw new ComposeLayoutMissing(
      `compose project ${project}: the proxy does not publish its API port ${PROXY_API_PORT}`,
    );
  const clientPorts = proxy.Ports.filter(
    (p) => p.PrivatePort >= CLIENT_PORT_BASE && p.PublicPort && p.IP !== "::",
  )
    .map((p) => ({ container: p.PrivatePort, host: p.PublicPort }))
    .sort((a, b) => a.container - b.container);
  return {
    project,
    nodes: mine
      .filter((c) => c.Labels[LABEL_COMPOSE_NODE])
      .map((c) => ({
        name: c.Labels[LABEL_COMPOSE_NODE]!,
        region: c.Labels["org.faultline.region"] ?? "",
        role: c.Labels["org.faultline.role"] ?? "",
        containerId: c.Id,
        running: c.State === "running" || c.State === "paused",
      })),
    proxy: { containerId: proxy.Id, apiUrl: `http://127.0.0.1:${api}`, clientPorts },
  };
}
