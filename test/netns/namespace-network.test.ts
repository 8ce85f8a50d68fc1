/**
 * Packet-level faults between network namespaces (root only; skipped otherwise): a drop rule cuts
 * a TCP connection between two namespaces and healing restores it; netem adds measurable delay.
 * Everything is torn down after.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CutSet } from "../../harness/nemesis/cuts.ts";
import type { FaultContext } from "../../harness/nemesis/fault.ts";
import { faultFromSpec } from "../../harness/nemesis/from-spec.ts";
import { healAll } from "../../harness/nemesis/run-schedule.ts";
import { NamespaceNetwork } from "../../harness/netns/namespace-network.ts";
import { requirement } from "../support/requirements.ts";

const isRoot = process.getuid?.() === 0;
const PORT = 7411;

const SERVER = `require("net").createServer((s) => { s.on("error", () => {}); s.on("data", (d) => s.write(d)); })
  .listen(${PORT}, process.argv[1], () => console.log("listening"));`;
const CLIENT = `const s = require("net").connect(${PORT}, process.argv[1]); const t0 = performance.now();
  const t = setTimeout(() => { console.log(JSON.stringify({ ok: false })); process.exit(0); }, Number(process.argv[2]));
  s.on("connect", () => s.write("ping"));
  s.on("data", () => { console.log(JSON.stringify({ ok: true, ms: performance.now() - t0 })); process.exit(0); });
  s.on("error", (e) => { console.log(JSON.stringify({ ok: false, error: e.code })); process.exit(0); });`;

describe.runIf(requirement("root (network namespaces need it)", isRoot, "run the tests as root"))(
  "network namespaces",
  () => {
    let net: NamespaceNetwork;
    let server: ChildProcess;
    const id = `t${process.pid % 100000}`;

    beforeAll(async () => {
      net = await NamespaceNetwork.create({ id, nodes: ["a", "b"], subnet: 200 + (process.pid % 50) });
      server = net.spawnIn("b", process.execPath, ["-e", SERVER, net.address("b")]);
      await new Promise<void>((resolve, reject) => {
        server.stdout!.on("data", (d) => String(d).includes("listening") && resolve());
        server.on("exit", (c) => reject(new Error(`server exited ${c}`)));
      });
    }, 30_000);

    afterAll(async () => {
      server?.kill("SIGKILL");
      await net?.destroy();
      const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
      expect(left).not.toContain(`fl${id}-`);
    });

    const probe = (timeoutMs: number): { ok: boolean; ms?: number } => {
      const [cmd, ...args] = net.execPrefix("a");
      const out = execFileSync(
        cmd!,
        [...args, process.execPath, "-e", CLIENT, net.address("b"), String(timeoutMs)],
        {
          encoding: "utf8",
          timeout: timeoutMs + 10_000,
        },
      );
      return JSON.parse(out.trim());
    };

    it("a drop rule cuts TCP between two namespaces; healing restores it", async () => {
      expect(probe(3000).ok).toBe(true);
      const cuts = new CutSet().cutBoth("a", "b");
      const what = await net.cut(cuts, "faultline-fault-test-1");
      expect(what.sort()).toEqual(["a->b packets dropped", "b->a packets dropped"]);
      expect(probe(1000).ok).toBe(false);
      await net.heal("faultline-fault-test-1");
      expect(probe(3000).ok).toBe(true);
    }, 30_000);

    it("a one-way cut drops only one direction's packets (the TCP handshake then fails too)", async () => {
      await net.cut(new CutSet().cut("b", "a"), "faultline-fault-test-2");
      // a's SYN reaches b, b's SYN-ACK is dropped at a.
      expect(probe(1000).ok).toBe(false);
      await net.healAll();
      expect(probe(3000).ok).toBe(true);
    }, 30_000);

    it("a partition fault cuts packets through ctx.packets, with the same cut set as on proxies; healAll heals", async () => {
      const topology = {
        regions: [{ name: "r1" }, { name: "r2" }],
        nodes: [
          { name: "a", region: "r1", store: "etcd" as const, role: "peer" as const },
          { name: "b", region: "r2", store: "etcd" as const, role: "peer" as const },
        ],
        links: [],
        latency: {},
      };
      const ctx: FaultContext = { proxyUrl: "", topology, links: [], nodes: new Map(), packets: net };
      const fault = faultFromSpec({
        kind: "partition",
        shape: "isolate-region",
        region: "r2",
        mechanism: "blackhole",
      });
      const value = await fault.start(ctx);
      expect(value).toBe("isolate r2 (blackhole): cut a->b packets dropped, b->a packets dropped");
      expect(probe(1000).ok).toBe(false);
      await fault.stop(ctx);
      expect(probe(3000).ok).toBe(true);
      await fault.start(ctx);
      const report = await healAll(ctx);
      expect(report.errors).toEqual([]);
      expect(probe(3000).ok).toBe(true);
    }, 30_000);

    it("netem delay on b adds measurable latency, or says clearly that this kernel has no netem", async () => {
      if (!(await net.hasNetem())) {
        await expect(net.netem("b", { delayMs: 150 })).rejects.toThrow(/no sch_netem module/);
        return;
      }
      const before = probe(3000);
      await net.netem("b", { delayMs: 150 });
      const slow = probe(5000);
      await net.clearQdisc("b");
      const after = probe(3000);
      expect(before.ok && slow.ok && after.ok).toBe(true);
      // connect (SYN-ACK from b) and echo (reply from b) each cross b's delayed egress: >= 2 x 150 ms.
      expect(slow.ms! - before.ms!).toBeGreaterThanOrEqual(250);
      expect(after.ms!).toBeLessThan(slow.ms! - 200);
    }, 30_000);

    it("random loss drops about the asked share of UDP packets; heal stops it", async () => {
      /** Sends n UDP datagrams from a to b; resolves with how many b received. */
      const count = (n: number): Promise<number> => {
        const [cmd, ...args] = net.execPrefix("b");
        const recv = `const s = require("dgram").createSocket("udp4"); let n = 0; s.on("message", () => n++);
        s.bind(7412, process.argv[1], () => console.log("ready"));
        let last = Date.now(); s.on("message", () => { last = Date.now(); });
        const t0 = Date.now(); setInterval(() => { if ((n > 0 && Date.now() - last > 600) || Date.now() - t0 > 8000) { console.log(n); process.exit(0); } }, 100);`;
        const receiver = spawn(cmd!, [...args, process.execPath, "-e", recv, net.address("b")]);
        let out = "";
        receiver.stdout.on("data", (d: Buffer) => {
          out += d;
        });
        receiver.stdout.once("data", () => {
          const [c2, ...a2] = net.execPrefix("a");
          const send = `const s = require("dgram").createSocket("udp4"); let i = 0;
          // Paced (10 per ms at most) so a loaded machine's receive buffer does not overflow.
          const go = () => { if (i++ >= ${n}) return s.close(); s.send("x", 7412, process.argv[1], () => (i % 10 ? go() : setTimeout(go, 1))); }; go();`;
          execFileSync(c2!, [...a2, process.execPath, "-e", send, net.address("b")]);
        });
        return new Promise((resolve) =>
          receiver.on("exit", () => resolve(Number(out.trim().split("\n").pop()))),
        );
      };
      const all = await count(1000);
      await net.loss("b", 30, "faultline-fault-test-3");
      const lossy = await count(1000);
      await net.heal("faultline-fault-test-3");
      const healed = await count(1000);
      // 30% loss: about 700 of 1000 arrive (binomial sd ~15); wide margins for a loaded machine.
      expect(all).toBeGreaterThan(950);
      expect(lossy / all).toBeGreaterThan(0.55);
      expect(lossy / all).toBeLessThan(0.85);
      expect(healed).toBeGreaterThan(950);
    }, 45_000);
  },
);

describe("netns errors", () => {
  it("rejects a bad id before touching anything", async () => {
    await expect(NamespaceNetwork.create({ id: "Bad Id!", nodes: ["a"], subnet: 1 })).rejects.toThrow(
      /1-6 lowercase/,
    );
  });
});
