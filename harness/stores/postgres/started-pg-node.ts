/**
 * A PostgreSQL server faultline started, whichever backend runs it: the part that is done over
 * SQL and is the same for a local process (RunningPostgresNode) and a container
 * (ContainerPostgresNode): superuser connection info, one-statement queries, the node's role and
 * upstream, promote, re-pointing a standby, synchronous standbys, waiting for streaming.
 *
 * Subclasses say how the server runs (start, stop, kill, pause) and where it listens; nodes a
 * user runs (ExternalPgNode) are not this: their credentials are the user's and their faults go
 * through hooks.
 */
import type pg from "pg";
import type { NodeSpec } from "../../topology.ts";
import { sleep } from "../../sleep.ts";
import { DATABASE, primaryConninfo, quoteSetting, SUPERUSER, synchronousStandbyNames } from "./pg-config.ts";
import { pgQuery } from "./pg-query.ts";
import type { PgConnectionInfo, PgRole, Upstream } from "./postgres-node.ts";

export abstract class StartedPgNode {
  abstract readonly spec: NodeSpec;
  /** Where the harness reaches the server directly (no proxy). */
  abstract readonly host: string;
  abstract readonly port: number;
  protected currentRole: PgRole;
  protected currentUpstream: Upstream | undefined;

  protected constructor(
    /** The superuser's password (the run's template's, or the one a compose file set). */
    private readonly password: string,
    role: PgRole,
    upstream: Upstream | undefined,
  ) {
    this.currentRole = role;
    this.currentUpstream = upstream;
  }

  get name(): string {
    return this.spec.name;
  }

  get role(): PgRole {
    return this.currentRole;
  }

  /** The host:port this standby streams from (undefined for a primary). */
  get upstream(): Upstream | undefined {
    return this.currentUpstream;
  }

  /** Direct connection info (no proxy): what the proxies' upstreams and the harness use. */
  get connection(): PgConnectionInfo {
    return {
      host: this.host,
      port: this.port,
      user: SUPERUSER,
      password: this.password,
      database: DATABASE,
    };
  }

  /** The same credentials at another address (a proxy in front of this node). */
  connectionVia(host: string, port: number): PgConnectionInfo {
    return { ...this.connection, host, port };
  }

  /** Runs one statement on a fresh superuser connection straight to the node. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    timeoutMs = 30_000,
  ): Promise<pg.QueryResult<R>> {
    return pgQuery<R>(this.connection, sql, params, timeoutMs);
  }

  /** What an error adds to send the reader to the server's log ("" when there is none to name). */
  protected logHint(): string {
    return "";
  }

  /** primary_conninfo for streaming from `upstream` (this node's name as application_name). */
  protected conninfoFor(upstream: Upstream): string {
    return primaryConninfo({ ...upstream, password: this.password, applicationName: this.name });
  }

  private async alterSystem(name: string, value: string): Promise<void> {
    // ALTER SYSTEM takes no bind parameters: the value is quoted as a literal.
    await this.query(`ALTER SYSTEM SET ${name} = ${quoteSetting(value)}`);
    await this.query("SELECT pg_reload_conf()");
  }

  /** Points this standby at another upstream (e.g. a new primary, or another proxy); no restart. */
  async repointStandby(host: string, port: number): Promise<void> {
    if (this.currentRole !== "standby")
      throw new Error(`${this.name} is a primary: only a standby can be re-pointed`);
    await this.alterSystem("primary_conninfo", this.conninfoFor({ host, port }));
    this.currentUpstream = { host, port };
  }

  /** Promotes this standby to a primary (pg_promote, waiting up to 60 s). */
  async promote(): Promise<void> {
    if (this.currentRole !== "standby") throw new Error(`${this.name} is already a primary`);
    const res = await this.query<{ promoted: boolean }>(
      "SELECT pg_promote(true, 60) AS promoted",
      [],
      70_000,
    );
    if (!res.rows[0]?.promoted) {
      throw new Error(`${this.name}: pg_promote() did not finish within 60 s${this.logHint()}`);
    }
    this.currentRole = "primary";
    this.currentUpstream = undefined;
  }

  /**
   * Makes commits wait for `names` (any `quorum` of them) to apply them
   * (`synchronous_commit = remote_apply`); an empty list turns synchronous replication off.
   */
  async setSynchronousStandbys(names: string[], quorum = 1): Promise<void> {
    await this.alterSystem(
      "synchronous_standby_names",
      names.length ? synchronousStandbyNames(names, quorum) : "",
    );
    await this.alterSystem("synchronous_commit", names.length ? "remote_apply" : "on");
  }

  /** Resolves once this standby's WAL receiver is streaming (or throws after `timeoutMs`). */
  async waitStreaming(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no WAL receiver";
    while (Date.now() < deadline) {
      try {
        const res = await this.query<{ status: string }>(
          "SELECT status FROM pg_stat_wal_receiver",
          [],
          5_000,
        );
        last = res.rows[0]?.status ?? "no WAL receiver";
        if (last === "streaming") return;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(100);
    }
    throw new Error(
      `${this.name} is not streaming from ${this.currentUpstream?.host}:${this.currentUpstream?.port} after ` +
        `${timeoutMs} ms (last: ${last})${this.logHint()}`,
    );
  }
}
