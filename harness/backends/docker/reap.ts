/**
 * Reaping what killed docker runs left behind: containers and networks labelled
 * `faultline.run` whose owner process is gone (see run-labels.ts). Another live run's resources
 * are never touched; neither is anything without our labels (a user's compose project).
 */
import { execFileSync } from "node:child_process";
import { getContainerRuntimeClient } from "testcontainers";
import { LABEL_OWNER, LABEL_RUN, ownerAlive } from "./run-labels.ts";
import { configureTestcontainers } from "./testcontainers-env.ts";

/** Removes dead owners' containers, then their networks; returns how many containers went. */
export async function reapDeadRuns(): Promise<number> {
  configureTestcontainers();
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL_RUN] } });
  let removed = 0;
  for (const c of containers) {
    if (ownerAlive(c.Labels[LABEL_OWNER])) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .then(() => removed++)
      .catch(() => {}); // gone already
  }
  const networks = await docker.listNetworks({ filters: { label: [LABEL_RUN] } });
  for (const n of networks) {
    if (ownerAlive(n.Labels?.[LABEL_OWNER])) continue;
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
  }
  return removed;
}

/** Synchronous last resort for an exiting harness (no event loop left): `docker rm -f`, then the network. */
export function removeNowSync(containerIds: string[], networkId: string | undefined): void {
  try {
    if (containerIds.length)
      execFileSync("docker", ["rm", "-f", "-v", ...containerIds], { stdio: "ignore", timeout: 30_000 });
    if (networkId) execFileSync("docker", ["network", "rm", networkId], { stdio: "ignore", timeout: 30_000 });
  } catch {
    // the next run reaps them (their owner is dead then)
  }
}
