/**
 * The `sentinel` layout's servers on the local backend: each a supervised redis-server or
 * redis-sentinel process (in its node's network namespace with `--net netns`), listening on the
 * node's bind address at a free port, with its config and data in a working directory owned by
 * the server user. sentinel-cluster.ts does the rest, as for every backend.
 */
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Backend } from "../../backends/backend.ts";
import { allocatePort } from "../../backends/local/ports.ts";
import { type RunAs, resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import type { NodeSpec } from "../../topology.ts";
import type { DeployContext } from "../store-driver.ts";
import { SupervisedNode } from "../supervised-node.ts";
import type { RedisBinaries } from "./binaries.ts";
import { READY_TIMEOUT_MS, type RedisNodePlace, type RedisNodeRunner } from "./sentinel-cluster.ts";

function owned(runAs: RunAs | undefined, path: string, text?: string): void {
  if (text === undefined) mkdirSync(path, { recursive: true, mode: 0o700 });
  else writeFileSync(path, text, { mode: 0o600 });
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}

export function localRedisNodes(ctx: DeployContext, binaries: RedisBinaries): RedisNodeRunner {
  const backend: Backend = ctx.backend;
  const runAs = resolveRunAs();
  const work = createTempDir("redis", runAs);
  const places = new Map<string, RedisNodePlace>();
  return {
    async place(spec) {
      const address = { host: backend.placement(spec.name).bindHost, port: await allocatePort() };
      const place = { listen: address, peer: address };
      places.set(spec.name, place);
      return place;
    },
    dirOf: (spec: NodeSpec) => join(work, spec.name),
    make(spec, kind, config, probe) {
      const dir = join(work, spec.name);
      owned(runAs, dir);
      const conf = join(dir, kind === "sentinel" ? "sentinel.conf" : "redis.conf");
      owned(runAs, conf, config);
      const address = places.get(spec.name)!.listen;
      return new SupervisedNode({
        spec,
        address,
        command: kind === "sentinel" ? binaries.sentinel : binaries.server,
        args: [conf],
        cwd: dir,
        logFile: join(ctx.folder.logs, `${spec.name}.log`),
        runAs,
        netns: backend.placement(spec.name).netns,
        env: ctx.nodeEnv(spec.name),
        supervisor,
        probe: () => probe(address),
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
    },
  };
}
