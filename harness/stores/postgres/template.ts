/**
 * One initdb per run: a data dir with our settings, our pg_hba, a superuser and a replication
 * role (both with the run's random password), never started. Every node is a copy of it, and a
 * copy of a cleanly shut down data dir is a valid base backup: a standby made from it streams
 * from any primary made from it (the bundle has no pg_basebackup).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, chownSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { readLogSince } from "../../backends/local/log-file.ts";
import type { RunAs } from "../../backends/local/run-as.ts";
import { supervisor as defaultSupervisor, type Supervisor } from "../../backends/local/supervisor.ts";
import type { PgBinaries } from "./binaries.ts";
import { REPLICATION_USER, renderClusterConf, renderHba, SUPERUSER } from "./pg-config.ts";

const execFileAsync = promisify(execFile);

export interface PgTemplate {
  dir: string;
  /** The run's password, for the superuser and the replication role alike. */
  password: string;
  binaries: PgBinaries;
  runAs: RunAs | undefined;
}

/** A fresh random password (hex: safe in conninfo strings and config files unquoted). */
export function randomPassword(): string {
  return randomBytes(18).toString("hex");
}

async function runToCompletion(
  sup: Supervisor,
  what: string,
  opts: Parameters<Supervisor["spawn"]>[0],
  timeoutMs: number,
  /** Output that means failure even with exit code 0 (single-user mode reports SQL errors so). */
  failOn?: RegExp,
): Promise<void> {
  const proc = await sup.spawn(opts);
  const timer = setTimeout(() => void proc.kill().catch(() => {}), timeoutMs);
  const status = await proc.exited;
  clearTimeout(timer);
  if (status.code !== 0 || failOn?.test(readLogSince(opts.logFile, proc.logOffset))) {
    throw new Error(
      `${what} failed (${status.signal ?? `exit code ${status.code}`}); last lines of ${opts.logFile}:\n${proc.logTail()}`,
    );
  }
}

/**
 * initdb into `<workDir>/template`, then configure it and create the replication role in
 * single-user mode (no server, no port). Output goes to `logFile`.
 */
export async function createPgTemplate(opts: {
  workDir: string;
  binaries: PgBinaries;
  runAs: RunAs | undefined;
  logFile: string;
  password?: string;
  supervisor?: Supervisor;
}): Promise<PgTemplate> {
  const sup = opts.supervisor ?? defaultSupervisor;
  const password = opts.password ?? randomPassword();
  const dir = join(opts.workDir, "template");
  const pwfile = join(opts.workDir, "initdb-password");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (opts.runAs) chownSync(pwfile, opts.runAs.uid, opts.runAs.gid);
  const common = { logFile: opts.logFile, runAs: opts.runAs, env: opts.binaries.env };
  try {
    await runToCompletion(
      sup,
      "initdb",
      {
        ...common,
        name: "initdb",
        command: opts.binaries.initdb,
        args: [
          `--pgdata=${dir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          "--auth=scram-sha-256",
          "--encoding=UTF8",
          "--locale=C",
          "--no-sync",
          "--no-instructions",
        ],
      },
      120_000,
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
  appendFileSync(join(dir, "postgresql.conf"), renderClusterConf());
  writeFileSync(join(dir, "pg_hba.conf"), renderHba());
  await runToCompletion(
    sup,
    "creating the replication role (postgres --single)",
    {
      ...common,
      name: "postgres-single",
      command: opts.binaries.postgres,
      args: ["--single", "-D", dir, "postgres"],
      stdin: `CREATE ROLE ${REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD '${password}';\n`,
    },
    60_000,
    /\b(ERROR|FATAL): /,
  );
  return { dir, password, binaries: opts.binaries, runAs: opts.runAs };
}

/** Copies the template to `dest` as the server user (`cp -a` keeps modes; the owner is who copies). */
export async function copyTemplate(template: PgTemplate, dest: string): Promise<void> {
  const who = template.runAs ? { uid: template.runAs.uid, gid: template.runAs.gid } : {};
  try {
    await execFileAsync("cp", ["-a", template.dir, dest], who);
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(
      `copying the PostgreSQL template ${template.dir} to ${dest} failed: ${e.stderr || e.message}`,
    );
  }
}
