/** Finding PostgreSQL processes in /proc by text in their command line (ps title included). */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of live processes whose command line contains `needle` (zombies have an empty one). */
export function processesMatching(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(needle) && Number(name) !== process.pid) out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}
