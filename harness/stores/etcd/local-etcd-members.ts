/**
 * The `raft` layout's members on the local backend: each a supervised etcd process (in its node's
 * network namespace with `--net netns`), on the node's bind address at free ports, its data in a
 * working directory owned by the server user. raft-cluster.ts does the rest, as for every backend.
 */
import { chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { allocatePort } from "../../backends/local/ports.ts";
import { resolveRunAs } from "../../backends/local/run-as.ts";
import { supervisor } from "../../backends/local/supervisor.ts";
import { createTempDir } from "../../backends/local/temp-dir.ts";
import type { DeployContext } from "../store-driver.ts";
import { SupervisedNode } from "../supervised-node.ts";
import { type EtcdMemberPlace, type EtcdMemberRunner, READY_TIMEOUT_MS } from "./raft-cluster.ts";

export function localEtcdMembers(ctx: DeployContext, etcd: string): EtcdMemberRunner {
  const runAs = resolveRunAs();
  const work = createTempDir("etcd", runAs);
  const places = new Map<string, EtcdMemberPlace>();
  return {
    async place(spec) {
      const host = ctx.backend.placement(spec.name).bindHost;
      const place = {
        listenHost: host,
        advertiseHost: host,
        clientPort: await allocatePort(),
        peerPort: await allocatePort(),
      };
      places.set(spec.name, place);
      return place;
    },
    dataDir: (spec) => join(work, spec.name, "data"),
    make(spec, args, probe) {
      const dir = join(work, spec.name);
      mkdirSync(dir, { mode: 0o700 });
      if (runAs) chownSync(dir, runAs.uid, runAs.gid);
      const p = places.get(spec.name)!;
      const address = { host: p.listenHost, port: p.clientPort };
      return new SupervisedNode({
        spec,
        address,
        command: etcd,
        args,
        cwd: dir,
        logFile: join(ctx.folder.logs, `${spec.name}.log`),
        runAs,
        netns: ctx.backend.placement(spec.name).netns,
        env: { ...ctx.nodeEnv(spec.name), ETCD_UNSUPPORTED_ARCH: process.arch === "x64" ? "" : process.arch },
        supervisor,
        probe: () => probe(address),
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
    },
  };
}
