/**
 * bin/faultline.mjs runs the compiled dist/ only when it is current: a source edited after the
 * build, a missing dist/, or FAULTLINE_FROM_SOURCE=1 sends it to the TypeScript sources (tsx), so
 * nobody runs stale code. Checked on a stand-in package whose two entry points say which ran.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const pkg = mkdtempSync(join(tmpdir(), "faultline-bin-"));
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

mkdirSync(join(pkg, "bin"));
mkdirSync(join(pkg, "harness/cli"), { recursive: true });
mkdirSync(join(pkg, "dist/harness/cli"), { recursive: true });
copyFileSync(join(root, "bin/faultline.mjs"), join(pkg, "bin/faultline.mjs"));
symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"));
writeFileSync(join(pkg, "package.json"), '{ "type": "module" }\n');
const entry = (from: string) => `export async function main() { console.log("${from}"); return 0; }\n`;
writeFileSync(join(pkg, "harness/cli/cli.ts"), entry("from source"));
writeFileSync(join(pkg, "dist/harness/cli/cli.js"), entry("from dist"));

function which(env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [join(pkg, "bin/faultline.mjs")], {
    encoding: "utf8",
    env: { ...process.env, FAULTLINE_FROM_SOURCE: "", ...env },
  });
  return r.stdout.trim();
}

const at = (path: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
};

describe("bin/faultline.mjs picks dist/ or the sources", () => {
  it("runs dist/ when it was built after every source", () => {
    writeFileSync(join(pkg, "dist/.built"), "");
    at(join(pkg, "harness/cli/cli.ts"), 60);
    at(join(pkg, "dist/.built"), 10);
    expect(which()).toBe("from dist");
  });

  it("runs the sources when one was edited after the build", () => {
    at(join(pkg, "dist/.built"), 60);
    at(join(pkg, "harness/cli/cli.ts"), 10);
    expect(which()).toBe("from source");
  });

  it("runs the sources when FAULTLINE_FROM_SOURCE=1, or when dist/ was never built", () => {
    at(join(pkg, "harness/cli/cli.ts"), 60);
    at(join(pkg, "dist/.built"), 10);
    expect(which({ FAULTLINE_FROM_SOURCE: "1" })).toBe("from source");
    rmSync(join(pkg, "dist/.built"));
    expect(which()).toBe("from source");
  });
});
