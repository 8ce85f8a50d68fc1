/**
 * `npm run demo:external`: faultline against a deployment it did not start, the way a team would
 * point it at staging. This script plays the team: it starts a small "remote" deployment
 * (deployment.ts: a PostgreSQL primary and async standby, one Toxiproxy API server per region),
 * runs `faultline run pg-async-replica --backend external --deployment FILE` as a separate
 * process, which prints the verdict (the standby's stale reads: nonlinearizable), tears the
 * deployment down, and exits with faultline's exit code. Extra arguments go to `faultline run`.
 * Everything listens on loopback ports.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { startDemoDeployment } from "./deployment.ts";

const root = resolve(import.meta.dirname, "../..");

async function main(): Promise<number> {
  const say = (m: string) => process.stderr.write(`demo: ${m}\n`);
  const deployment = await startDemoDeployment(say);
  try {
    const extra = process.argv.slice(2);
    const args = [
      join(root, "bin/faultline.mjs"),
      "run",
      "pg-async-replica",
      "--backend",
      "external",
      "--deployment",
      deployment.file,
      ...extra,
    ];
    if (!extra.some((a) => a === "--time-limit" || a === "-t")) args.push("--time-limit", "15");
    say(`faultline ${args.slice(1).join(" ")}`);
    return await new Promise<number>((done) => {
      const child = spawn(process.execPath, args, {
        stdio: "inherit",
        env: { ...process.env, ...deployment.env },
      });
      // Ctrl-C reaches the run (it heals its faults and stops), then the demo tears down.
      const forward = () => child.kill("SIGINT");
      process.on("SIGINT", forward);
      child.on("exit", (code, signal) => {
        process.off("SIGINT", forward);
        done(code ?? (signal ? 130 : 3));
      });
    });
  } finally {
    say("tearing the deployment down");
    await deployment.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo: ${(err as Error).message}\n`);
    process.exit(3);
  },
);
