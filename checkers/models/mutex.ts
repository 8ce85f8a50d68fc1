/**
 * A lock without owners (Knossos's mutex): `acquire` succeeds only when free, `release` only
 * when held. The state is whether it is held.
 */
import type { Op } from "../history/op.ts";
import { type Model, ModelInputError } from "./model.ts";

export interface MutexInput {
  acquire: boolean;
}

export const mutexModel: Model<boolean, MutexInput> = {
  name: "mutex",
  description: "a lock: acquire (only when free), release (only when held)",
  fs: ["acquire", "release"],
  init: (initial) => initial === true || initial === "locked",
  prepare(invoke: Op): MutexInput {
    if (invoke.f === "acquire" || invoke.f === "lock") return { acquire: true };
    if (invoke.f === "release" || invoke.f === "unlock") return { acquire: false };
    throw new ModelInputError(`unknown f "${invoke.f}" for model mutex (expected acquire, release)`);
  },
  step: (held, input) => (input.acquire ? (held ? undefined : true) : held ? false : undefined),
  hash: (held) => (held ? 1 : 0),
  equal: (a, b) => a === b,
  describeState: (held) => (held ? "held" : "free"),
  describeOp: (input) => (input.acquire ? "acquire" : "release"),
  readOnly: () => false,
  // Every later acquire or release depends on whether a crashed acquire/release happened.
  canObserve: () => true,
};
