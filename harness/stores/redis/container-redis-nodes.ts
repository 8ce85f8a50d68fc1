/**
 * The `sentinel` layout's servers on the docker backend: each node a container of the base image
 * (Debian's redis-server and redis-sentinel are in it) on the run's network. Inside its container
 * every server listens on the well-known port (6379, Sentinels 26379) and is known to its peers by
 * its node name, the container's network alias: replicas follow the master by name, and announce
 * themselves (and Sentinels announce themselves) by name, so a container that comes back from a
 * kill with another address is still found. Sentinel hands clients those names; the clients'
 * natMap (process-connections.ts) turns `name:6379` into their proxy to that node.
 *
 * The config is written into the container on its first start only: Sentinel and a failover
 * rewrite it (the new master, the epoch), and a restarted node must come back with what it had
 * learnt, as a local process does from its working directory. The packet network is the docker
 * backend's (iptables in the containers).
 */
import { join } from "node:path";
import type { DockerBackend } from "../../backends/docker/docker-backend.ts";
import { ContainerNode } from "../container-node.ts";
import type { DeployContext } from "../store-driver.ts";
import { READY_TIMEOUT_MS, type RedisNodeRunner } from "./sentinel-cluster.ts";

export const CONTAINER_REDIS_PORT = 6379;
export const CONTAINER_SENTINEL_PORT = 26379;
/** The node's working directory inside its container (config, append-only file). */
const CONTAINER_DIR = "/var/lib/faultline-redis";

/** A container takes longer than a process: the image's filesystem, the network, the wait. */
const CONTAINER_READY_TIMEOUT_MS = READY_TIMEOUT_MS * 2;

/** `sh -c`: write the config from $FAULTLINE_CONF unless it is there already, then exec the server
 *  (PID 1, so docker kill and stop reach it). */
function startCommand(binary: string, file: string): string[] {
  const conf = `${CONTAINER_DIR}/${file}`;
  const script = `mkdir -p ${CONTAINER_DIR} && { [ -f ${conf} ] || printf '%s' "$FAULTLINE_CONF" > ${conf}; } && unset FAULTLINE_CONF && exec "$@"`;
  return ["sh", "-c", script, "faultline-redis", binary, conf];
}

export function containerRedisNodes(
  ctx: DeployContext,
  backend: DockerBackend,
  image: string,
): RedisNodeRunner {
  return {
    async place(spec) {
      const port = spec.role === "sentinel" ? CONTAINER_SENTINEL_PORT : CONTAINER_REDIS_PORT;
      return {
        listen: { host: "0.0.0.0", port }, // its own namespace; published on 127.0.0.1 only
        peer: { host: spec.name, port },
        announceHost: spec.name,
      };
    },
    dirOf: () => CONTAINER_DIR,
    make(spec, kind, config, probe) {
      const sentinel = kind === "sentinel";
      return new ContainerNode({
        backend,
        spec,
        image,
        command: startCommand(
          sentinel ? "redis-sentinel" : "redis-server",
          sentinel ? "sentinel.conf" : "redis.conf",
        ),
        port: sentinel ? CONTAINER_SENTINEL_PORT : CONTAINER_REDIS_PORT,
        env: { FAULTLINE_CONF: config },
        logFile: join(ctx.folder.logs, `${spec.name}.log`),
        probe,
        readyTimeoutMs: CONTAINER_READY_TIMEOUT_MS,
      });
    },
  };
}
