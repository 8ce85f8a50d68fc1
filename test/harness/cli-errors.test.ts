/**
 * Bad input to the CLI: one clear line and exit code 3, before anything starts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../bin/faultline.mjs");
const tmp = mkdtempSync(join(tmpdir(), "faultline-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function faultline(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: tmp, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("faultline CLI bad input", () => {
  it("rejects an unknown scenario with exit 3 and names the known ones", () => {
    const r = faultline("run", "pg-nonexistent", "--time-limit", "1");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown scenario 'pg-nonexistent'/);
    expect(r.stderr).toMatch(/pg-async-replica/);
  });

  it("rejects a bad flag value with exit 3 and names the flag", () => {
    const r = faultline("run", "--time-limit", "soon");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--time-limit/);
    expect(r.stderr).toMatch(/soon/);
  });

  it("rejects an unknown nemesis before anything starts, with a suggestion", () => {
    const r = faultline("run", "--nemesis", "partiton", "--store", join(tmp, "store"));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown nemesis 'partiton' \(did you mean 'partition'\?\)/);
    expect(existsSync(join(tmp, "store"))).toBe(false);
  });

  it("names the config field that is out of range", () => {
    const r = faultline("run", "--concurrency", "0");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/concurrency/);
  });

  it("rejects an unknown scenario, naming the known ones", () => {
    const r = faultline("run", "pg-nope");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown scenario 'pg-nope' \(known: .*pg-async-replica.*etcd-3-region/);
  });

  it("rejects an unreadable history file with exit 3", () => {
    const r = faultline("check", join(tmp, "missing.jsonl"));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read history .*missing\.jsonl.*no such file/);
  });

  it("names the line of a malformed history line", () => {
    const file = join(tmp, "bad.jsonl");
    writeFileSync(
      file,
      '{"type":"invoke","process":0,"f":"read","value":null}\n{"type":"ok","process":0,"f":"read",\n',
    );
    const r = faultline("check", file);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bad\.jsonl:2/);
  });

  it("lists scenarios with their expected outcomes", () => {
    const r = faultline("scenarios", "--json");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; implemented: boolean; expected: string }[];
    expect(list.find((s) => s.name === "pg-async-replica")).toMatchObject({ implemented: true });
    expect(list.map((s) => s.name)).toContain("etcd-3-region");
  });

  it("answers --help with the commands", () => {
    const r = faultline("--help");
    expect(r.code).toBe(0);
    for (const cmd of ["run", "check", "scenarios", "report", "replay", "proxy", "serve"]) {
      expect(r.stdout).toContain(cmd);
    }
  });
});
