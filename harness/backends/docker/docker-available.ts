/**
 * Whether Docker can be used here, answered in one line that says what to do when it cannot
 * (`--backend docker` exits 3 with it; the docker tests skip or fail with it).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Undefined when `docker info` answers; else one line naming what is missing and how to get it. */
export async function dockerUnavailableReason(): Promise<string | undefined> {
  try {
    await execFileAsync("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 15_000 });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") {
      return "Docker is not installed: install it (Debian: `apt-get install docker.io docker-compose debootstrap`) and start the daemon (`dockerd --iptables=false --ip-forward=false &` as root, or `systemctl start docker`)";
    }
    const detail = (e.stderr ?? e.message).trim().split("\n").pop();
    return `Docker's daemon is not reachable (${detail}): start it (\`dockerd --iptables=false --ip-forward=false &\` as root, or \`systemctl start docker\`), or set DOCKER_HOST`;
  }
}
