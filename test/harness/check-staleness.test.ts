/**
 * `faultline check --checker staleness --stale-bound-ms MS` on a history file: the bound separates
 * the stale reads that pass from the ones that fail, and each failing read is named with its age.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const tmp = mkdtempSync(join(tmpdir(), "faultline-staleness-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ms = (x: number) => x * 1e6;
const ops = [
  { type: "invoke", process: 0, f: "write", key: 1, value: 1, time: ms(0) },
  { type: "ok", process: 0, f: "write", key: 1, value: 1, time: ms(10) },
  { type: "invoke", process: 0, f: "write", key: 1, value: 2, time: ms(20) },
  { type: "ok", process: 0, f: "write", key: 1, value: 2, time: ms(30) },
  { type: "invoke", process: 1, f: "read", key: 1, value: null, time: ms(330), region: "eu-west" },
  { type: "ok", process: 1, f: "read", key: 1, value: 1, time: ms(331), region: "eu-west" },
].map((o, index) => ({ index, ...o }));

function check(bound: number) {
  const file = join(tmp, "h.jsonl");
  writeFileSync(file, ops.map((o) => JSON.stringify(o)).join("\n"));
  return spawnSync(
    process.execPath,
    ["bin/faultline.mjs", "check", file, "--checker", "staleness", "--stale-bound-ms", String(bound)],
    { encoding: "utf8", env: { ...process.env, FAULTLINE_FROM_SOURCE: "1" } },
  );
}

describe("faultline check --checker staleness", () => {
  it("fails a read staler than the bound, naming its age, and passes it under a looser bound", () => {
    const tight = check(100);
    expect(tight.status).toBe(1);
    expect(tight.stdout).toMatch(/stale by 300 ms\. The bound is 100 ms\./);
    expect(check(500).status).toBe(0);
  }, 30_000);
});
