/** Unique names for what a fault adds (toxics, drop rules), so it removes only its own. */
import { FAULT_TOXIC_PREFIX } from "./proxy-links.ts";

let next = 1;

/** `faultline-fault-<n>-<kind>`: the prefix lets a teardown find leftovers of any fault. */
export function newFaultTag(kind: string): string {
  return `${FAULT_TOXIC_PREFIX}${next++}-${kind}`;
}
