/**
 * The store drivers faultline knows, by name. Adding a store is a folder under
 * `harness/stores/<store>/` with a `StoreDriver`, plus one line here.
 */
import { postgresDriver } from "./postgres/driver.ts";
import { redisDriver } from "./redis/driver.ts";
import { etcdDriver } from "./etcd/driver.ts";
import "./postgres/docker-deployment.ts"; // PostgreSQL on the docker backend (registers in PG_BACKENDS)
import "./postgres/compose-deployment.ts"; // ... and on the compose layout
import type { StoreDriver } from "./store-driver.ts";

const drivers = new Map<string, StoreDriver>();

/** Makes a driver known (tests register toy stores this way). */
export function registerStore(driver: StoreDriver): void {
  drivers.set(driver.name, driver);
}

registerStore(postgresDriver);
registerStore(redisDriver);
registerStore(etcdDriver);

export function findStore(name: string): StoreDriver {
  const d = drivers.get(name);
  if (!d) throw new Error(`unknown store '${name}' (known: ${[...drivers.keys()].join(", ")})`);
  return d;
}

export function knownStores(): string[] {
  return [...drivers.keys()];
}
