#!/usr/bin/env node
// The `faultline` command. It runs the compiled JavaScript in dist/ (built by `npm run build`, which
// `npm install` runs through the `prepare` script), so it starts without compiling anything. When
// dist/ is missing, or older than a source file (someone edited a .ts since the last build), or
// FAULTLINE_FROM_SOURCE=1, it runs the TypeScript sources through tsx instead: slower to start,
// never stale.
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SOURCE_DIRS = ["harness", "checkers", "reports", "workloads"];

/** Newest mtime (ms) of the .ts sources, or 0 when there are none (an installed package ships dist only). */
function newestSource() {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    let entries;
    try {
      entries = readdirSync(root + dir, { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith(".ts")) continue;
      const m = statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs;
      if (m > newest) newest = m;
    }
  }
  return newest;
}

function distIsFresh() {
  if (process.env.FAULTLINE_FROM_SOURCE === "1") return false;
  let built;
  try {
    built = statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return false;
  }
  return newestSource() <= built;
}

// A reader that stops early (`faultline check ... | head`) closes stdout: the run's results are on
// disk and its exit code still says the verdict, so a write to the closed pipe is not a crash.
process.stdout.on("error", (err) => {
  if (err.code !== "EPIPE") throw err;
});

let main;
if (distIsFresh()) {
  ({ main } = await import("../dist/harness/cli/cli.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../harness/cli/cli.ts"));
}
process.exitCode = await main(process.argv);
