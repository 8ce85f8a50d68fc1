/**
 * testcontainers' environment, set before its first use. Ryuk (its reaper container) must be
 * pulled from a registry, which is not reachable everywhere we run, so it is off unless the user
 * turned it on: faultline cleans up by its own labels instead (see reap.ts). Inside a container
 * (/.dockerenv) testcontainers would look for the docker host at the container's gateway; ours
 * is the local daemon, reached at localhost.
 */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  if (!process.env.DOCKER_HOST || process.env.DOCKER_HOST.startsWith("unix:")) {
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
  }
}
