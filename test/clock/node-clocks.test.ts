import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findLibfaketime } from "../../harness/clock/faketime.ts";
import { NodeClocks } from "../../harness/clock/node-clocks.ts";
import { requirement } from "../support/requirements.ts";

describe.runIf(requirement("libfaketime", !!findLibfaketime(), "apt-get install libfaketime"))(
  "NodeClocks",
  () => {
    it("gives each node an env that skews a real process's clock, readable by others, removed on dispose", async () => {
      const clocks = await NodeClocks.create(["n1", "n2"]);
      try {
        expect(statSync(clocks.dir).mode & 0o777).toBe(0o755);
        await clocks.map.get("n1")!.set(3_600_000);
        const date = (node: string) =>
          Number(
            execFileSync("date", ["+%s"], {
              env: { ...process.env, ...clocks.env(node) },
              encoding: "utf8",
            }).trim(),
          );
        const real = Math.floor(Date.now() / 1000);
        expect(date("n1") - real).toBeGreaterThanOrEqual(3598);
        expect(date("n1") - real).toBeLessThanOrEqual(3602);
        expect(Math.abs(date("n2") - real)).toBeLessThanOrEqual(2);
        expect(() => clocks.env("n3")).toThrow(/no fake clock for node 'n3'/);
      } finally {
        await clocks.dispose();
      }
      expect(existsSync(clocks.dir)).toBe(false);
    });
  },
);
