/**
 * The `raft` layout's members on the docker backend: each member a container of the base image
 * (Debian's etcd-server is in it) on the run's network, listening on etcd's well-known ports
 * (2379 clients, 2380 peers) in its own namespace and advertising its node name, the container's
 * network alias, so a member that comes back from a kill with another address is still found.
 * Its data stays in the container's filesystem across a kill and restart. The harness reaches
 * the client port where it is published on 127.0.0.1; partitions are the docker backend's
 * (iptables in the containers).
 */
import { join } from "node:path";
import type { DockerBackend } from "../../backends/docker/docker-backend.ts";
import { ContainerNode } from "../container-node.ts";
import type { DeployContext } from "../store-driver.ts";
import { type EtcdMemberRunner, READY_TIMEOUT_MS } from "./raft-cluster.ts";

export const CONTAINER_ETCD_CLIENT_PORT = 2379;
export const CONTAINER_ETCD_PEER_PORT = 2380;
const CONTAINER_DATA_DIR = "/var/lib/faultline-etcd";

export function containerEtcdMembers(
  ctx: DeployContext,
  backend: DockerBackend,
  image: string,
): EtcdMemberRunner {
  return {
    async place(spec) {
      return {
        listenHost: "0.0.0.0", // its own namespace; the client port is published on 127.0.0.1 only
        advertiseHost: spec.name,
        clientPort: CONTAINER_ETCD_CLIENT_PORT,
        peerPort: CONTAINER_ETCD_PEER_PORT,
      };
    },
    dataDir: () => CONTAINER_DATA_DIR,
    make(spec, args, probe) {
      return new ContainerNode({
        backend,
        spec,
        image,
        // etcd is PID 1, so docker kill and stop reach it.
        command: ["etcd", ...args],
        port: CONTAINER_ETCD_CLIENT_PORT,
        otherPorts: [CONTAINER_ETCD_PEER_PORT],
        logFile: join(ctx.folder.logs, `${spec.name}.log`),
        probe,
        // A container takes longer than a process to come up.
        readyTimeoutMs: READY_TIMEOUT_MS * 2,
      });
    },
  };
}
