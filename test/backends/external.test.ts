/**
 * The external backend against a deployment faultline did not start (the demo's: real PostgreSQL
 * primary and standby, two Toxiproxy API servers): the demo ends with the standby's stale reads
 * found and nothing left behind; a user's own proxies and toxics survive a run untouched, also one
 * interrupted mid-fault, while every toxic the run added is gone; bad deployment files fail before
 * anything is touched, naming the field.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Toxiproxy } from "toxiproxy-node-client";
import { afterAll, describe, expect, it } from "vitest";
import { checkDeployment } from "../../harness/backends/external/deployment-file.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { startDemoDeployment } from "../../examples/external-demo/deployment.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-ext-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

/** Every proxy on a Toxiproxy server with its toxics' names (GET /proxies, as any client sees it). */
const proxyToxics = async (url: string): Promise<Record<string, string[]>> => {
  const all = (await (await fetch(`${url}/proxies`)).json()) as Record<
    string,
    { toxics: { name: string }[] }
  >;
  return Object.fromEntries(
    Object.entries(all).map(([name, p]) => [name, p.toxics.map((t) => t.name).sort()]),
  );
};

describe("external backend", () => {
  it("npm run demo:external finds the standby's stale reads, exits 1, leaves nothing behind", () => {
    const r = spawnSync(
      "npm",
      ["run", "demo:external", "--", "--store", store, "--time-limit", "12", "--seed", "4"],
      {
        encoding: "utf8",
        timeout: 180_000,
      },
    );
    expect(r.status, r.stderr).toBe(1);
    const results = JSON.parse(readFileSync(join(store, "latest", "results.json"), "utf8"));
    expect(results.anomalyTypes).toContain("nonlinearizable");
    expect(r.stderr).toMatch(/tearing the deployment down/);
    // No server of the demo is left running, and its temp dir is gone.
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
    expect(ps).not.toMatch(/faultline-demo-/);
  });

  it("leaves a user's proxies and toxics as they were and removes its own, also when interrupted", async () => {
    const demo = await startDemoDeployment();
    try {
      const east = demo.servers["us-east"].url;
      // The user's own toxic on an existing link, and a proxy faultline is not told about.
      await (
        await new Toxiproxy(east).get("east-clients-east")
      ).addToxic({
        name: "user-latency",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 1 },
      });
      await new Toxiproxy(east).populate([
        { name: "someone-else", listen: "127.0.0.1:0", upstream: "127.0.0.1:9", enabled: true },
      ]);
      const before = await proxyToxics(east);
      Object.assign(process.env, demo.env);
      const config = validateConfig({
        ...DEFAULTS,
        name: "ext-interrupt",
        scenario: "pg-async-replica",
        seed: 5,
        store,
        backend: "external",
        deployment: demo.file,
        timeLimitS: 20,
        nemesis: ["partition-partial"],
        nemesisIntervalS: 2,
        faultDurationS: 1.5,
      });
      const interrupt = new AbortController();
      // Ctrl-C while a fault toxic is on the user's server.
      const watcher = setInterval(async () => {
        const now = await proxyToxics(east).catch(() => ({}));
        if (
          Object.values(now)
            .flat()
            .some((t) => t.startsWith("faultline-fault-"))
        )
          interrupt.abort();
      }, 100);
      const outcome = await runTest(
        config,
        { phase: () => {}, log: () => {} },
        { interrupt: interrupt.signal },
      );
      clearInterval(watcher);
      expect(interrupt.signal.aborted).toBe(true);
      expect(outcome.interrupted).toBe(true);
      expect(await proxyToxics(east)).toEqual(before);
      // The proxies faultline created on eu-west's server are gone again.
      expect(Object.keys(await proxyToxics(demo.servers["eu-west"].url))).toEqual([]);
      // No credential reached the run folder.
      const testJson = readFileSync(join(outcome.folder.dir, "test.json"), "utf8");
      expect(testJson).not.toContain(demo.env.FAULTLINE_DEMO_PGPASSWORD);
    } finally {
      await demo.stop();
    }
  }, 120_000);

  it("refuses bad deployment files before anything is touched, naming the field", async () => {
    const base = {
      store: "postgres",
      regions: ["us-east"],
      toxiproxies: { east: { url: "http://127.0.0.1:1" } },
      nodes: [{ name: "pg-1", region: "us-east", role: "primary", address: "127.0.0.1:5432" }],
      links: [{ from: "clients@us-east", to: "pg-1", toxiproxy: "east", proxy: "p", listen: "127.0.0.1:1" }],
    };
    expect(() => checkDeployment({ ...base, store: "mongodb" })).toThrow(/store: Invalid option/);
    expect(() => checkDeployment({ ...base, links: [{ ...base.links[0], toxiproxy: "west" }] })).toThrow(
      /links\[0\]\.toxiproxy: no Toxiproxy server 'west'/,
    );
    expect(() => checkDeployment({ ...base, credentials: { password: "hunter2" } })).toThrow(
      /credentials\.password: a credential must not be written inline/,
    );
    expect(() => checkDeployment({ ...base, nodes: [{ ...base.nodes[0], region: "mars" }] })).toThrow(
      /nodes\[0\]\.region: no region 'mars'/,
    );
    // An unreachable Toxiproxy API: refused before a run folder exists.
    const file = join(store, "unreachable.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...base,
        regions: ["us-east", "eu-west"],
        nodes: [
          base.nodes[0],
          { name: "pg-2", region: "eu-west", role: "standby", address: "127.0.0.1:5433" },
        ],
      }),
    );
    const config = validateConfig({
      ...DEFAULTS,
      name: "ext-bad",
      scenario: "pg-async-replica",
      seed: 1,
      store: join(store, "never"),
      backend: "external",
      deployment: file,
      nemesis: [],
    });
    await expect(runTest(config, { phase: () => {}, log: () => {} })).rejects.toThrow(
      /toxiproxies\.east\.url: no Toxiproxy API answers/,
    );
    expect(existsSync(join(store, "never"))).toBe(false);
  });
});
