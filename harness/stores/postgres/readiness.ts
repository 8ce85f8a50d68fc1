/** Waiting for a PostgreSQL server to accept queries: connect with `pg` until it answers. */
import pg from "pg";
import type { SupervisedProcess } from "../../backends/local/supervised-process.ts";
import { sleep } from "../../sleep.ts";

export interface ReadinessOptions {
  name: string;
  proc: SupervisedProcess;
  connection: pg.ClientConfig;
  timeoutMs: number;
  pollMs?: number;
  /**
   * The server's `cluster_name`: a server that answers with another one is not ours (our
   * port was taken by someone else's server), and is not taken for ours being ready.
   */
  clusterName?: string;
}

async function tryQuery(connection: pg.ClientConfig, clusterName: string | undefined): Promise<void> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: 2_000, query_timeout: 5_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    const res = await client.query<{ cluster_name: string }>("SHOW cluster_name");
    const name = res.rows[0]?.cluster_name;
    if (clusterName !== undefined && name !== clusterName) {
      throw new Error(`the server on port ${connection.port} is '${name}', not ${clusterName}`);
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Resolves once the server answers a query (as the expected cluster, when given). Fails at once if the server exits, or after `timeoutMs`,
 * with the last connection error and the last lines of the server's log.
 */
export async function waitUntilReady(opts: ReadinessOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = "no attempt yet";
  for (;;) {
    if (!opts.proc.running) {
      const st = opts.proc.exitState;
      const how = st ? (st.signal ?? `exit code ${st.code}`) : "exited";
      throw new Error(
        `${opts.name} exited during startup (${how}); last lines of ${opts.proc.logFile}:\n${opts.proc.logTail()}`,
      );
    }
    try {
      await tryQuery(opts.connection, opts.clusterName);
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${opts.name} (pid ${opts.proc.pid}) did not accept queries on ${opts.connection.host}:` +
          `${opts.connection.port} within ${opts.timeoutMs} ms (last error: ${lastError}); ` +
          `last lines of ${opts.proc.logFile}:\n${opts.proc.logTail()}`,
      );
    }
    await sleep(opts.pollMs ?? 100);
  }
}
