/**
 * The backends faultline knows, by name (`--backend`). Adding one is a folder under
 * `harness/backends/<name>/` with a `BackendFactory`, plus one line here.
 */
import type { BackendFactory, BackendName } from "./backend.ts";
import { composeBackend } from "./compose/compose-backend.ts";
import { dockerBackend } from "./docker/factory.ts";
import { externalBackend } from "./external/external-backend.ts";
import { localBackend } from "./local/local-backend.ts";

const factories = new Map<string, BackendFactory>();

export function registerBackend(factory: BackendFactory): void {
  factories.set(factory.name, factory);
}

registerBackend(localBackend);
registerBackend(externalBackend);
registerBackend(dockerBackend);
registerBackend(composeBackend);

export function findBackend(name: string): BackendFactory {
  const f = factories.get(name);
  if (!f) {
    throw new Error(`unknown backend '${name}' (known: ${[...factories.keys()].join(", ")})`);
  }
  return f;
}

export function knownBackends(): BackendName[] {
  return [...factories.keys()] as BackendName[];
}
