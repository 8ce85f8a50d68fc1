/**
 * The seeds' "manual reconciliation queue for high-risk records", on the multi-writer layout. A set
 * is kept as one row per key (an array of elements, as an application keeping a list in a row
 * does), so two regions adding to one set at once are two conflicting updates of one row.
 *
 * - `apply-on-arrival` (PostgreSQL's own behaviour): the remote version replaces the local one, and
 *   the elements only the local version had are gone without a trace.
 * - `queue`: each row carries a version vector (writes per node). A local write bumps this node's
 *   entry; a remote version is applied when it includes everything the local one has, dropped when
 *   it is older, and otherwise (concurrent) NOT applied but recorded in
 *   `faultline_reconciliation_queue` for a person to resolve. A simulated person resolves each
 *   entry after `RESOLVE_DELAY_MS` by merging (union of elements, merged vector, one more local
 *   write), which dominates both versions and replicates everywhere; `drain` resolves everything
 *   at once so the regions converge before the final reads. Queued-to-resolved time is a signal.
 */
import { sleep } from "../../sleep.ts";
import type { PgConnection } from "./node-connections.ts";
import type { RunningPostgresNode } from "./postgres-node.ts";

/** How long a queued conflict waits for its (simulated) person. */
export const RESOLVE_DELAY_MS = 1000;
const RESOLVE_EVERY_MS = 250;

export const SET_ROWS_DDL =
  "CREATE TABLE set_rows (key bigint PRIMARY KEY, elements bigint[] NOT NULL DEFAULT '{}', vv jsonb NOT NULL DEFAULT '{}')";

/** Functions are schema-qualified: the apply worker runs with an empty search_path. */
export const QUEUE_DDL = `
CREATE TABLE faultline_reconciliation_queue (
  id bigserial PRIMARY KEY, key bigint NOT NULL,
  local_elements bigint[], local_vv jsonb, remote_elements bigint[], remote_vv jsonb,
  queued_at timestamptz NOT NULL DEFAULT clock_timestamp(), resolved_at timestamptz);
CREATE FUNCTION faultline_vv_le(a jsonb, b jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT NOT EXISTS (SELECT 1 FROM jsonb_each_text(a) e
                     WHERE e.value::bigint > coalesce((b ->> e.key)::bigint, 0)) $$;
CREATE FUNCTION faultline_vv_merge(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, greatest(coalesce((a ->> k)::bigint, 0), coalesce((b ->> k)::bigint, 0))), '{}'::jsonb)
    FROM (SELECT jsonb_object_keys(a) AS k UNION SELECT jsonb_object_keys(b)) ks $$;
CREATE FUNCTION faultline_queue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE me text := current_setting('cluster_name');
BEGIN
  IF current_setting('session_replication_role') <> 'replica' THEN
    -- A local write (a client's, or a resolution carrying the remote vector): it includes both.
    NEW.vv := public.faultline_vv_merge(OLD.vv, NEW.vv);
    NEW.vv := jsonb_set(NEW.vv, ARRAY[me], to_jsonb(coalesce((NEW.vv ->> me)::bigint, 0) + 1));
    RETURN NEW;
  END IF;
  IF public.faultline_vv_le(OLD.vv, NEW.vv) THEN RETURN NEW; END IF;   -- it has all we have
  IF public.faultline_vv_le(NEW.vv, OLD.vv) THEN RETURN NULL; END IF;  -- we already have it
  INSERT INTO public.faultline_reconciliation_queue (key, local_elements, local_vv, remote_elements, remote_vv)
    VALUES (OLD.key, OLD.elements, OLD.vv, NEW.elements, NEW.vv);
  RETURN NULL;
END $$;
CREATE TRIGGER faultline_queue BEFORE UPDATE ON set_rows FOR EACH ROW EXECUTE FUNCTION faultline_queue();
ALTER TABLE set_rows ENABLE ALWAYS TRIGGER faultline_queue`;

/** The set workload on one array row per key. */
export class PgSetRowClient {
  constructor(private readonly conn: PgConnection) {}

  async add(key: number, element: number): Promise<void> {
    const r = await this.conn.query(
      "UPDATE set_rows SET elements = array_append(elements, $2) WHERE key = $1",
      [key, element],
    );
    if (r.rowCount !== 1) throw new Error(`set ${key} has no row (seeded keys only)`);
  }

  async read(key: number): Promise<number[]> {
    const r = await this.conn.query("SELECT elements FROM set_rows WHERE key = $1", [key]);
    return ((r.rows[0]?.elements as unknown[]) ?? []).map(Number).sort((a, b) => a - b);
  }

  async close(): Promise<void> {}
}

/** Resolves queued conflicts older than `minAgeMs` on `node`: union of both versions' elements,
 *  written as one local write carrying the remote vector. Returns how many it resolved. */
async function resolveOn(node: RunningPostgresNode, minAgeMs: number): Promise<number> {
  const r = await node.query(
    `WITH r AS (
       UPDATE faultline_reconciliation_queue SET resolved_at = clock_timestamp()
        WHERE id IN (SELECT id FROM faultline_reconciliation_queue
                      WHERE resolved_at IS NULL AND queued_at <= clock_timestamp() - make_interval(secs => $1::float8 / 1000)
                      ORDER BY id LIMIT 100)
       RETURNING key, remote_elements, remote_vv),
     m AS (SELECT key, array_agg(DISTINCT e) AS elements, jsonb_agg(remote_vv) AS vvs
             FROM r, unnest(remote_elements) e GROUP BY key)
     UPDATE set_rows s
        SET elements = ARRAY(SELECT DISTINCT x FROM unnest(s.elements || m.elements) x ORDER BY x),
            vv = (SELECT coalesce(jsonb_object_agg(k, mx), '{}'::jsonb) FROM
                   (SELECT k, max(v::bigint) AS mx FROM jsonb_array_elements(m.vvs) a, jsonb_each_text(a) kv(k, v) GROUP BY k) t)
       FROM m WHERE s.key = m.key`,
    [minAgeMs],
    10_000,
  );
  return r.rowCount ?? 0;
}

/** The simulated person: resolves each conflict once it has waited `RESOLVE_DELAY_MS`. */
export function startResolver(nodes: RunningPostgresNode[]): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const n of nodes) await resolveOn(n, RESOLVE_DELAY_MS).catch(() => 0);
      await sleep(RESOLVE_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Resolves everything queued anywhere, until a round finds nothing (the regions then converge). */
export async function drainQueues(nodes: RunningPostgresNode[], timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let total = 0;
  let quiet = 0;
  while (performance.now() < deadline && quiet < 3) {
    let n = 0;
    for (const node of nodes) n += await resolveOn(node, 0).catch(() => 0);
    total += n;
    quiet = n === 0 ? quiet + 1 : 0;
    await sleep(200);
  }
  return total;
}

/** Every queue entry on every node, and queued-to-resolved latency: `signals.reconciliation`. */
export async function readQueues(nodes: RunningPostgresNode[]): Promise<Record<string, unknown>> {
  const entries: {
    node: string;
    key: number;
    local: number[];
    remote: number[];
    queuedAt: string;
    resolved: boolean;
  }[] = [];
  const latencies: number[] = [];
  for (const n of nodes) {
    const r = await n.query<Record<string, unknown>>(
      `SELECT key, local_elements, remote_elements, to_char(queued_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') AS queued_at,
              resolved_at IS NOT NULL AS resolved,
              extract(epoch FROM resolved_at - queued_at) * 1000 AS latency_ms
         FROM faultline_reconciliation_queue ORDER BY id`,
      [],
      10_000,
    );
    for (const row of r.rows) {
      entries.push({
        node: n.name,
        key: Number(row.key),
        local: ((row.local_elements as unknown[]) ?? []).map(Number),
        remote: ((row.remote_elements as unknown[]) ?? []).map(Number),
        queuedAt: String(row.queued_at),
        resolved: row.resolved === true,
      });
      if (row.latency_ms !== null) latencies.push(Number(row.latency_ms));
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!
      : 0;
  return {
    queued: entries.length,
    resolved: entries.filter((e) => e.resolved).length,
    pending: entries.filter((e) => !e.resolved).length,
    resolutionLatencyMs: { p50: Math.round(pct(50)), p95: Math.round(pct(95)), max: Math.round(pct(100)) },
    // Pending entries in full (what a person still has to look at); resolved ones are counted.
    pendingEntries: entries.filter((e) => !e.resolved).slice(0, 500),
  };
}
