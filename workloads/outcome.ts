/**
 * How a client reports what happened to an operation. The distinction matters to every checker:
 * `fail` promises the operation had no effect; `info` admits we cannot know.
 */

/** Thrown by a client when it knows the operation did not take effect (never sent, rejected, rolled back). */
export class DefiniteFailure extends Error {
  override name = "DefiniteFailure";
}

/** Thrown when the operation ran out of time; its effect is unknown. */
export class OpTimeout extends Error {
  override name = "OpTimeout";
}

export type Completion =
  { type: "ok"; value: unknown } | { type: "fail" | "info"; value: unknown; error: string };

/**
 * Classifies an error thrown while applying an op. Reads have no effect, so a read that errs is
 * a `fail` whatever the cause; anything else that errs for an unknown reason is `info`.
 */
export function completionForError(err: unknown, opHasEffect: boolean, invokeValue: unknown): Completion {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DefiniteFailure || !opHasEffect)
    return { type: "fail", value: invokeValue, error: message };
  return { type: "info", value: invokeValue, error: message };
}
