/**
 * An isolation level the transactional workloads do not know, given on the command line: one
 * clear line naming the field and the known levels, exit 3, nothing started (no run folder).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../bin/faultline.mjs");
const tmp = mkdtempSync(join(tmpdir(), "faultline-iso-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("faultline run -w isolation=...", () => {
  it("refuses an unknown isolation level before anything starts", () => {
    const store = join(tmp, "store");
    const r = spawnSync(
      process.execPath,
      [bin, "run", "pg-serializable", "-w", "isolation=snapshot", "--time-limit", "5", "--store", store],
      { encoding: "utf8", cwd: tmp, timeout: 60_000 },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /list-append\.isolation: unknown isolation level "snapshot" \(known: 'read committed', 'repeatable read', 'serializable'\)/,
    );
    expect(existsSync(store)).toBe(false);
  });
});
