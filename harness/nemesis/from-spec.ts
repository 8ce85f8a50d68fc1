/** FaultSpec (plain JSON, from a schedule or test.json) -> a runnable Fault, by its definition. */
import type { Fault } from "./fault.ts";
import { faultDefinitionOf } from "./registry.ts";
import type { FaultSpecLike } from "./spec.ts";

export function faultFromSpec(spec: FaultSpecLike): Fault {
  return faultDefinitionOf(spec).create(spec);
}
