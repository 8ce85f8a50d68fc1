/**
 * The seams are real: a store, a layout and a scenario defined only in this test folder run end
 * to end through the harness (proxies on every client link, the register workload, the generator-
 * driven client loop, the linearizability checker), with nothing under harness/ changed for them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { registerScenario } from "../../harness/scenarios/index.ts";
import type { Scenario } from "../../harness/scenarios/scenario.ts";
import { registerStore } from "../../harness/stores/index.ts";
import { toyStore } from "./toy-store/toy-store.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-toy-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const toyScenario: Scenario = {
  name: "toy-single",
  layout: "one register server, clients in two regions (one of them remote)",
  expected: "linearizable (one copy of every key)",
  expectedValid: true,
  implemented: true,
  store: "toy",
  workload: "register",
  workloadOptions: { opsPerKey: 40, keysInFlight: 2 },
  layoutSpec: {
    kind: "single",
    regions: ["us-east", "eu-west"],
    nodes: [{ name: "toy-us-east-1", region: "us-east", role: "primary" }],
  },
  routing: { writes: "primary", reads: "primary" },
  checkers: [{ name: "linearizable", options: { model: "cas-register", initial: null } }],
};

describe("a toy store and scenario from a test folder", () => {
  it("run through the harness and are judged", async () => {
    registerStore(toyStore);
    registerScenario(toyScenario);
    const config = validateConfig({
      ...DEFAULTS,
      name: "toy",
      scenario: "toy-single",
      seed: 3,
      store,
      timeLimitS: 3,
      latencyMs: 5,
      rate: 300,
      nemesis: ["latency"],
      nemesisIntervalS: 1,
      faultDurationS: 0.5,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    expect(outcome.results?.valid).toBe(true);
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
    const clientOps = history.filter((o) => o.type === "ok");
    expect(clientOps.length).toBeGreaterThan(100);
    // Both regions' clients reached the one node, eu-west's through its cross-region link.
    expect(new Set(clientOps.map((o) => o.region))).toEqual(new Set(["us-east", "eu-west"]));
    expect(history.some((o) => o.process === "nemesis" && o.f === "latency")).toBe(true);
    // The register workload's three kinds of op all ran against the toy store.
    expect(new Set(clientOps.map((o) => o.f))).toEqual(new Set(["read", "write", "cas"]));
  });
});
