/**
 * Start-up time of the CLI: `faultline --help` and a single-file `faultline check`, run from the
 * compiled dist/ (what `npm install` builds) and from the TypeScript sources through tsx (what
 * bin/faultline.mjs falls back to). Targets: --help <= 0.25 s from dist/, and check adds no
 * compile time (dist/ check within 0.1 s of --help). Each command runs `--runs` times, alternating
 * dist/source so background load hits both alike; medians are reported.
 * Usage: npm run bench:startup [-- --runs 15]
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = join(root, "bin/faultline.mjs");
const history = join(root, "test/fixtures/histories/cas-register-good.jsonl");
const i = process.argv.indexOf("--runs");
const runs = i >= 0 ? Number(process.argv[i + 1]) : 15;

if (!existsSync(join(root, "dist/.built"))) {
  console.error("dist/ is not built: run `npm run build` first");
  process.exit(1);
}

function once(args: string[], fromSource: boolean): number {
  // "dist": bin/faultline.mjs picks dist/ when it is current; "source": forced through tsx.
  const env = { ...process.env, FAULTLINE_FROM_SOURCE: fromSource ? "1" : "" };
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`faultline ${args.join(" ")} exited ${r.status}`);
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases: [string, string[]][] = [
  ["--help", ["--help"]],
  ["check (one file)", ["check", history]],
];
console.log(`runs ${runs}, load average ${loadavg()[0].toFixed(2)}`);
// Node's own start-up on this machine right now: what no change to faultline can remove.
const bare: number[] = [];
for (let k = 0; k < runs; k++) {
  const t = performance.now();
  spawnSync(process.execPath, ["-e", ""], { stdio: "ignore" });
  bare.push(performance.now() - t);
}
console.log(`${"node -e ''".padEnd(18)} ${(median(bare) / 1000).toFixed(3)} s (baseline)`);
const out: Record<string, { dist: number; source: number }> = {};
for (const [name, args] of cases) {
  const dist: number[] = [];
  const source: number[] = [];
  for (let k = 0; k < runs; k++) {
    dist.push(once(args, false));
    source.push(once(args, true));
  }
  out[name] = { dist: median(dist), source: median(source) };
  console.log(
    `${name.padEnd(18)} dist ${(out[name].dist / 1000).toFixed(3)} s   source (tsx) ${(out[name].source / 1000).toFixed(3)} s`,
  );
}
const help = out["--help"].dist;
console.log(
  `target --help <= 0.250 s from dist: ${help <= 250 ? "met" : "MISSED"} (${(help / 1000).toFixed(3)} s)`,
);
console.log(
  "if dist and source are about equal, dist/ is older than a source file (bin fell back to tsx): npm run build",
);
