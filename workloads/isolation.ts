/**
 * The isolation levels a transactional workload asks its store for (the SQL standard's names,
 * as PostgreSQL spells them). An isolation level is a workload option, not a store option, because
 * it is what the workload's transactions promise to need: the same store runs list-append at
 * SERIALIZABLE in one scenario and at READ COMMITTED in its negative control. A store's client
 * maps the level to its own syntax (PostgreSQL: `BEGIN ISOLATION LEVEL ...`).
 */
import { z } from "zod";

export const ISOLATION_LEVELS = ["read committed", "repeatable read", "serializable"] as const;

export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** The `isolation` option: an unknown level is an error that names the field and the known levels. */
export const IsolationSchema = z.enum(ISOLATION_LEVELS, {
  error: (issue) =>
    `unknown isolation level ${JSON.stringify(issue.input)} (known: ${ISOLATION_LEVELS.map((l) => `'${l}'`).join(", ")})`,
});
