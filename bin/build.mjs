#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install` from a clone builds it): compiles the TypeScript
// sources to dist/ with tsc (imports rewritten from .ts to .js), copies the report's browser assets
// beside the compiled report code, and stamps dist/.built so bin/faultline.mjs knows dist/ is current.
// It never fails an install: without a usable dist/, bin/faultline.mjs runs the sources through tsx.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist`;
const strict = process.argv.includes("--strict");

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  console.error("faultline build: typescript is not installed; the CLI will run from sources (tsx)");
  process.exit(strict ? 1 : 0);
}

rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, "-p", `${root}tsconfig.build.json`], { stdio: "inherit" });
if (!existsSync(`${dist}/harness/cli/cli.js`)) {
  console.error("faultline build: tsc emitted nothing; the CLI will run from sources (tsx)");
  process.exit(strict ? 1 : 0);
}
if (r.status !== 0) {
  // tsc still emits on type errors; the JavaScript runs, but say so.
  console.error("faultline build: type errors above (npm run typecheck); dist/ was written anyway");
  if (strict) process.exit(1);
}
cpSync(`${root}reports/browser`, `${dist}/reports/browser`, { recursive: true });
writeFileSync(`${dist}/.built`, `${new Date().toISOString()}\n`);
console.error("faultline build: dist/ is ready");
