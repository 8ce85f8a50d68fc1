/** The etcd binary of the local backend, from Debian's `etcd-server` package (etcd 3.4). */
import { findSystemBinary, missingBinary } from "../system-binary.ts";

export function findEtcd(): { etcd?: string; problems: string[] } {
  const etcd = findSystemBinary("etcd");
  return etcd ? { etcd, problems: [] } : { problems: [missingBinary("etcd", "etcd-server")] };
}
