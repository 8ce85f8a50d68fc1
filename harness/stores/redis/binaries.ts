/**
 * The Redis binaries of the local backend, from Debian's packages: `redis-server` (package
 * redis-server) and `redis-sentinel` (package redis-sentinel; Sentinel mode of the same server).
 */
import { findSystemBinary, missingBinary } from "../system-binary.ts";

export interface RedisBinaries {
  server: string;
  sentinel: string;
}

export const REDIS_APT = "redis-server redis-sentinel";

/** The binaries, or the sentences naming what is missing and how to install it. */
export function findRedisBinaries(): { binaries?: RedisBinaries; problems: string[] } {
  const server = findSystemBinary("redis-server");
  const sentinel = findSystemBinary("redis-sentinel");
  const problems: string[] = [];
  if (!server) problems.push(missingBinary("redis-server", "redis-server"));
  if (!sentinel) problems.push(missingBinary("redis-sentinel", "redis-sentinel"));
  return server && sentinel ? { binaries: { server, sentinel }, problems } : { problems };
}
