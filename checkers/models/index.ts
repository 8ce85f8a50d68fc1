/**
 * The sequential models the linearizability checker knows, by the name `--model` takes.
 */
import { fifoQueueModel } from "./fifo-queue.ts";
import { kvModel } from "./kv.ts";
import type { AnyModel } from "./model.ts";
import { multiRegisterModel } from "./multi-register.ts";
import { mutexModel } from "./mutex.ts";
import { casRegisterModel, registerModel } from "./register.ts";
import { setModel } from "./set.ts";

export type { AnyModel, Model, NilReads, Outcome, PrepareContext } from "./model.ts";
export { ModelInputError } from "./model.ts";

export const models: Readonly<Record<string, AnyModel>> = {
  register: registerModel,
  "cas-register": casRegisterModel,
  "multi-register": multiRegisterModel,
  kv: kvModel,
  set: setModel,
  mutex: mutexModel,
  "fifo-queue": fifoQueueModel,
};

export const modelNames = Object.keys(models);

/** The model called `name`; an error listing the known ones otherwise. */
export function getModel(name: string): AnyModel {
  const m = models[name];
  if (m === undefined) throw new Error(`unknown model "${name}" (known: ${modelNames.join(", ")})`);
  return m;
}
