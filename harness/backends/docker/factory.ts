/**
 * The docker backend as the runner sees it (`--backend docker`). testcontainers is loaded only
 * when a docker run starts (it costs the CLI most of a second), so this file imports none of it:
 * the preflight asks the `docker` CLI, the rest is imported on use.
 */
import type { Backend, BackendFactory } from "../backend.ts";
import { BackendUnavailable } from "../backend.ts";
import type { DockerBackend } from "./docker-backend.ts";
import { dockerUnavailableReason } from "./docker-available.ts";

export const dockerBackend: BackendFactory = {
  name: "docker",
  description: "every node in its own container (testcontainers), images built from the repository",
  async preflight(net) {
    const reason = await dockerUnavailableReason();
    if (reason) throw new BackendUnavailable(`--backend docker: ${reason}`);
    if (net === "netns") {
      throw new BackendUnavailable(
        "--backend docker: --net netns is the local backend's; containers are cut at packet level with iptables inside them",
      );
    }
  },
  async reap() {
    const { reapDeadRuns } = await import("./reap.ts");
    return reapDeadRuns();
  },
  async create(opts) {
    const { DockerBackend } = await import("./docker-backend.ts");
    return DockerBackend.create(opts);
  },
};

/** A docker backend, by name (a store's docker path needs its `startNode`). */
export function isDockerBackend(b: Backend): b is DockerBackend {
  return b.name === "docker";
}
