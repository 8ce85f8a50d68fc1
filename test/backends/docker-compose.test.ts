/**
 * The top-level docker-compose.yml, as a user runs it: `docker-compose up -d` (Debian's 1.29,
 * driven by testcontainers' DockerComposeEnvironment, under a project name of this test's own),
 * then pg-async-replica on `--backend compose` must find nonlinearizable and read-your-writes,
 * the layout's proxy must be left as it was (only its replication link, no toxics), and `down`
 * must leave no container, network or volume of the project.
 * Without Docker or docker-compose: skipped loudly locally, a failure under CI=true.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from "testcontainers";
import { afterAll, describe, expect, it } from "vitest";
import { dockerUnavailableReason } from "../../harness/backends/docker/docker-available.ts";
import { ensurePostgresImage, ensureProxyImage } from "../../harness/backends/docker/images.ts";
import { configureTestcontainers } from "../../harness/backends/docker/testcontainers-env.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { requirement } from "../support/requirements.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const reason = await dockerUnavailableReason();
const haveCompose = (() => {
  try {
    execFileSync("docker-compose", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const ready =
  requirement("Docker", reason === undefined, reason ?? "") &&
  requirement("docker-compose", haveCompose, "apt-get install docker-compose (Debian's 1.29)");

const store = mkdtempSync(join(tmpdir(), "faultline-compose-it-"));
const project = `fltest${process.pid}`;
let env: StartedDockerComposeEnvironment | undefined;
afterAll(async () => {
  await env?.down({ removeVolumes: true }).catch(() => {});
  rmSync(store, { recursive: true, force: true });
});

/** What the daemon still has of the compose project (containers, networks, volumes). */
function leftovers(): string[] {
  const label = `label=com.docker.compose.project=${project}`;
  const out = (args: string[]) =>
    execFileSync("docker", args, { encoding: "utf8" }).split("\n").filter(Boolean);
  return [
    ...out(["ps", "-a", "--filter", label, "--format", "{{.Names}}"]),
    ...out(["network", "ls", "--filter", label, "--format", "{{.Name}}"]),
    ...out(["volume", "ls", "--filter", label, "--format", "{{.Name}}"]),
  ];
}

describe.skipIf(!ready)("docker-compose.yml and --backend compose", () => {
  it("without a running layout, says how to start one in one line and exits 3", async () => {
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [join(ROOT, "bin/faultline.mjs"), "run", "pg-async-replica", "--backend", "compose", "-t", "1"],
        {
          cwd: ROOT,
          env: { ...process.env, COMPOSE_PROJECT_NAME: `absent${process.pid}` },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    expect(res.code).toBe(3);
    const errors = res.stderr.split("\n").filter((l) => /could not run/.test(l));
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/--backend compose: .*docker.compose up -d/);
  }, 60_000);

  it("pg-async-replica against the running layout finds nonlinearizable and read-your-writes; down leaves nothing", async () => {
    await ensurePostgresImage(() => {});
    await ensureProxyImage(() => {});
    configureTestcontainers();
    env = await new DockerComposeEnvironment(ROOT, "docker-compose.yml")
      .withProjectName(project)
      .withClientOptions({ executable: { standalone: true } })
      // The proxy's client-link ports listen only during a run: wait for its API instead.
      .withWaitStrategy("proxy_1", Wait.forLogMessage(/Toxiproxy-compatible API/))
      .up();
    expect(leftovers().length).toBeGreaterThanOrEqual(4); // three services and their network

    const previous = process.env.COMPOSE_PROJECT_NAME;
    process.env.COMPOSE_PROJECT_NAME = project; // a user's own layout may be up too
    try {
      const config = validateConfig({
        ...DEFAULTS,
        name: "compose-async",
        scenario: "pg-async-replica",
        backend: "compose",
        seed: 12345,
        store,
        timeLimitS: 14,
        nemesisIntervalS: 4,
        faultDurationS: 3,
      });
      const outcome = await runTest(config, { phase: () => {}, log: () => {} });
      const results = outcome.results!;
      expect(results.valid).toBe(false);
      expect(results.anomalyTypes).toEqual(expect.arrayContaining(["nonlinearizable", "read-your-writes"]));
      expect(results.anomalyTypes).not.toContain("lost-write");
    } finally {
      if (previous === undefined) delete process.env.COMPOSE_PROJECT_NAME;
      else process.env.COMPOSE_PROJECT_NAME = previous;
    }

    // The layout's proxy is as compose made it: its replication link, enabled, with no toxics.
    const port = execFileSync("docker", ["port", `${project}_proxy_1`, "8474"], { encoding: "utf8" })
      .trim()
      .split("\n")[0]!
      .split(":")
      .pop();
    const proxies = (await (await fetch(`http://127.0.0.1:${port}/proxies`)).json()) as Record<
      string,
      { enabled: boolean; toxics: unknown[] }
    >;
    expect(Object.keys(proxies)).toEqual(["pg-eu-west-1->pg-us-east-1"]);
    expect(proxies["pg-eu-west-1->pg-us-east-1"]!.enabled).toBe(true);
    expect(proxies["pg-eu-west-1->pg-us-east-1"]!.toxics).toEqual([]);

    await env.down({ removeVolumes: false }); // plain `down`: nothing may remain even so
    env = undefined;
    expect(leftovers()).toEqual([]);
  }, 300_000);
});
