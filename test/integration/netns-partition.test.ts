/**
 * Packet-level faults in a real run: pg-async-replica with `--net netns` puts each PostgreSQL node
 * in its own network namespace, cuts the replication link with nftables drop rules instead of a
 * proxy, and finds what the proxy run finds (the standby's stale reads). Without root, the run is
 * refused before anything starts. Leaves no namespace behind.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { requirement } from "../support/requirements.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-netns-"));
chmodSync(store, 0o777);
afterAll(() => rmSync(store, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;
const hasTools = ["/usr/sbin/ip", "/usr/sbin/nft"].every((p) => existsSync(p));
const ours = () =>
  execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.startsWith(`flr${process.pid.toString(36)}-`));

describe.runIf(
  requirement(
    "root with iproute2 and nftables",
    isRoot && hasTools,
    "run as root; apt-get install iproute2 nftables",
  ),
)("--net netns", () => {
  it("cuts replication at packet level and finds the standby's stale reads", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      name: "netns",
      scenario: "pg-async-replica",
      seed: 9,
      store,
      net: "netns",
      timeLimitS: 14,
      nemesisIntervalS: 4,
      faultDurationS: 3,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const cuts = history.filter((o) => o.process === "nemesis" && o.phase === "start");
    expect(cuts.length).toBeGreaterThanOrEqual(2);
    // The cut was made by drop rules in the namespaces, not by a proxy.
    for (const c of cuts) expect(String(c.value)).toMatch(/packets dropped/);
    expect(outcome.results?.valid).toBe(false);
    expect(outcome.results?.anomalyTypes).toEqual(
      expect.arrayContaining(["nonlinearizable", "read-your-writes"]),
    );
    expect(outcome.results?.checkers.divergence?.valid).toBe(true);
    expect(ours()).toEqual([]);
  });

  it("is refused without root, before anything starts", () => {
    const out = join(store, "as-nobody");
    const r = spawnSync(
      "runuser",
      ["-u", "nobody", "--", process.execPath, "bin/faultline.mjs", "run", "--net", "netns", "--store", out],
      { encoding: "utf8", timeout: 60_000, env: { ...process.env, HOME: store } },
    );
    expect(r.stderr).toMatch(/need root/);
    expect(r.status).toBe(3);
    // The store directory may have been checked (made) up front; no run folder was started in it.
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
