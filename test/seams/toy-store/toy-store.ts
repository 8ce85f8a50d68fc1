/**
 * A toy store, defined entirely in this test folder, to show that the store seam is real: a tiny
 * TCP register server per node (one line per request: `GET k`, `SET k v`, `CAS k from to`), a
 * `single` layout of independent nodes, and a client for the existing register workload, made
 * known to the harness with `registerStore`. Nothing under harness/ knows about it.
 */
import { createServer, type Server, Socket } from "node:net";
import type { RegisterClient } from "../../../workloads/register.ts";
import { DefiniteFailure } from "../../../workloads/outcome.ts";
import type { DeployedNode, StoreDriver } from "../../../harness/stores/store-driver.ts";

/** One node: a register map behind a line protocol on a loopback port. */
async function startToyNode(
  name: string,
  spec: DeployedNode["spec"],
): Promise<DeployedNode & { server: Server }> {
  const data = new Map<string, string>();
  const server = createServer((sock) => {
    let buf = "";
    sock.on("data", (chunk) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const [cmd, k, a, b] = buf.slice(0, i).split(" ");
        buf = buf.slice(i + 1);
        if (cmd === "GET") sock.write(`${data.get(k!) ?? "nil"}\n`);
        else if (cmd === "SET") {
          data.set(k!, a!);
          sock.write("OK\n");
        } else if (cmd === "CAS") {
          const ok = data.get(k!) === a;
          if (ok) data.set(k!, b!);
          sock.write(ok ? "OK\n" : "NO\n");
        }
      }
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  // Kill and pause are not meaningful for an in-process toy; the nemesis is never asked to.
  return {
    spec,
    server,
    address: { host: "127.0.0.1", port },
    kill: async () => void server.close(),
    start: async () => {},
    pause: async () => {},
    resume: async () => {},
  };
}

/** A connection that sends one request line at a time and reads one answer line. */
class ToyConnection implements RegisterClient {
  private sock: Socket | undefined;
  private pending: ((line: string) => void)[] = [];
  private buf = "";

  constructor(private readonly address: { host: string; port: number }) {}

  private async request(line: string): Promise<string> {
    if (!this.sock) {
      const sock = new Socket();
      await new Promise<void>((resolve, reject) => {
        sock.once("error", (e) => reject(new DefiniteFailure(`connect: ${e.message}`)));
        sock.connect(this.address.port, this.address.host, resolve);
      });
      sock.on("data", (c) => {
        this.buf += c.toString();
        let i: number;
        while ((i = this.buf.indexOf("\n")) >= 0) {
          const l = this.buf.slice(0, i);
          this.buf = this.buf.slice(i + 1);
          this.pending.shift()?.(l);
        }
      });
      sock.on("error", () => {});
      this.sock = sock;
    }
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.sock!.write(`${line}\n`);
    });
  }

  async read(key: number): Promise<number | null> {
    const v = await this.request(`GET ${key}`);
    return v === "nil" ? null : Number(v);
  }

  async write(key: number, value: number): Promise<void> {
    await this.request(`SET ${key} ${value}`);
  }

  async cas(key: number, from: number, to: number): Promise<boolean> {
    return (await this.request(`CAS ${key} ${from} ${to}`)) === "OK";
  }

  async close(): Promise<void> {
    this.sock?.destroy();
  }
}

export const toyStore: StoreDriver = {
  name: "toy",
  description: "an in-process register server per node (tests only)",
  layouts: ["single"],
  workloads: ["register"],
  backends: ["local"],
  peerFaults: "proxy",
  peerLinks: () => [],
  async preflight(plan) {
    return plan.workload === "register" ? [] : [`toy store has no client for ${plan.workload}`];
  },
  async deploy(ctx) {
    const nodes = await Promise.all(ctx.topology.nodes.map((n) => startToyNode(n.name, n)));
    return {
      nodes: new Map(nodes.map((n) => [n.spec.name, n])),
      openClient(_workload, address) {
        const conns = new Map<string, ToyConnection>();
        return {
          at(node) {
            let c = conns.get(node);
            if (!c) conns.set(node, (c = new ToyConnection(address(node))));
            return c;
          },
          close: async () => {
            for (const c of conns.values()) await c.close();
          },
        };
      },
      async stop() {
        for (const n of nodes) n.server.close();
      },
    };
  },
};
