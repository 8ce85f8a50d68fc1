/**
 * What the Redis and etcd integration tests need from the system: root with iproute2 and nftables
 * (their scenarios cut peers at packet level, `--net netns`) and the Debian packages' binaries.
 */
import { existsSync } from "node:fs";
import { findSystemBinary } from "../../harness/stores/system-binary.ts";
import { requirement } from "./requirements.ts";

const isRoot = process.getuid?.() === 0;
const hasNetTools = ["/usr/sbin/ip", "/usr/sbin/nft"].some((p) => existsSync(p));

export function packetFaultsAndBinaries(binaries: Record<string, string>): boolean {
  const missing = Object.entries(binaries).filter(([bin]) => !findSystemBinary(bin));
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  return (
    requirement(
      "root with iproute2 and nftables (--net netns)",
      isRoot && hasNetTools,
      "run as root; apt-get install iproute2 nftables",
    ) &&
    requirement(
      missing.map(([b]) => b).join(", ") || "binaries",
      missing.length === 0,
      `apt-get install -y ${packages.join(" ")}`,
    )
  );
}
