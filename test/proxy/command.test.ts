/** Unit: `faultline proxy` (runProxyCommand): config file, clean errors, shutdown. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProxyCommand } from "../../harness/proxy/command.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "faultline-proxy-cmd-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("runProxyCommand", () => {
  it("serves the API, creates the config's proxies, and stops when told", async () => {
    const config = join(dir, "proxies.json");
    writeFileSync(
      config,
      JSON.stringify([{ name: "pg", listen: "127.0.0.1:0", upstream: "127.0.0.1:5432" }]),
    );
    const lines: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => {
      stop = r;
    });
    let url = "";
    const running = runProxyCommand({
      host: "127.0.0.1",
      port: 0,
      config,
      until,
      log: (m) => {
        lines.push(m);
        url ||= /API on (\S+)/.exec(m)?.[1] ?? "";
      },
    });
    for (let i = 0; i < 100 && !lines.some((l) => l.includes("pg listening")); i++)
      await new Promise((r) => setTimeout(r, 20));
    const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { upstream: string }>;
    expect(proxies.pg.upstream).toBe("127.0.0.1:5432");
    stop();
    await running;
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });

  // toxiproxy-server with a -config it cannot read or apply logs the error (api.go's
  // PopulateConfig: "Error reading config file" / "Failed to populate proxies from file") and
  // serves the API with no proxies; it does not exit.
  for (const [label, write, expected] of [
    ["a missing config", undefined, /cannot read proxy config .*nope\.json.*running with no proxies/],
    [
      "an invalid config",
      JSON.stringify([{ listen: "127.0.0.1:0", upstream: "x:1" }]),
      /missing required field: name at proxy 1.*running with no proxies/,
    ],
    ["a config that is not JSON", "{not json", /bad request body.*running with no proxies/],
  ] as const) {
    it(`logs ${label} and serves with no proxies, as toxiproxy-server does`, async () => {
      const config = join(dir, write === undefined ? "nope.json" : "bad.json");
      if (write !== undefined) writeFileSync(config, write);
      const lines: string[] = [];
      let stop!: () => void;
      const until = new Promise<void>((r) => {
        stop = r;
      });
      let url = "";
      const running = runProxyCommand({
        host: "127.0.0.1",
        port: 0,
        config,
        until,
        log: (m) => {
          lines.push(m);
          url ||= /API on (\S+)/.exec(m)?.[1] ?? "";
        },
      });
      for (let i = 0; i < 100 && !lines.some((l) => expected.test(l)); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(lines.join("\n")).toMatch(expected);
      const res = await fetch(`${url}/proxies`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
      stop();
      await running;
    });
  }

  it("fails clearly when the API port is taken", async () => {
    const { createServer } = await import("node:net");
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(runProxyCommand({ host: "127.0.0.1", port, log: () => {} })).rejects.toThrow(
        /choose another --port/,
      );
    } finally {
      taken.close();
    }
  });
});
