/**
 * The demo's "remote" deployment (see demo.ts): a PostgreSQL primary in us-east, an asynchronous
 * standby in eu-west replicating through us-east's Toxiproxy, one Toxiproxy API server per region,
 * and the deployment file that describes them to faultline. Shared by the demo and its test.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Toxiproxy } from "toxiproxy-node-client";
import { allocatePort } from "../../harness/backends/local/ports.ts";
import { supervisor } from "../../harness/backends/local/supervisor.ts";
import { type ProxyServer, startProxyServer } from "../../harness/proxy/server.ts";
import { DATABASE, SUPERUSER } from "../../harness/stores/postgres/pg-config.ts";
import { PostgresDeployment } from "../../harness/stores/postgres/postgres-deployment.ts";

export const PASSWORD_ENV = "FAULTLINE_DEMO_PGPASSWORD";
export const USER_ENV = "FAULTLINE_DEMO_PGUSER";

export interface DemoDeployment {
  /** The deployment file faultline reads. */
  file: string;
  /** Environment the faultline run needs (the credentials, by variable). */
  env: Record<string, string>;
  servers: { "us-east": ProxyServer; "eu-west": ProxyServer };
  /** Stops PostgreSQL and the Toxiproxy servers, removes the temp dir. */
  stop(): Promise<void>;
}

export async function startDemoDeployment(say: (m: string) => void = () => {}): Promise<DemoDeployment> {
  const work = mkdtempSync(join(tmpdir(), "faultline-demo-"));
  const usEast = await startProxyServer();
  const euWest = await startProxyServer();
  let pg: PostgresDeployment | undefined;
  const stop = async () => {
    await pg?.stop().catch((e) => say(`stopping PostgreSQL: ${(e as Error).message}`));
    await supervisor.stopAll();
    await usEast.close();
    await euWest.close();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    say(`Toxiproxy servers: us-east ${usEast.url}, eu-west ${euWest.url}`);
    pg = await PostgresDeployment.prepare({ runDir: work });
    const primary = await pg.startNode({
      node: { name: "pg-us-east-1", region: "us-east", store: "postgres", role: "primary" },
    });
    // The standby streams through us-east's Toxiproxy, so a fault can cut replication.
    const replListen = await allocatePort();
    await new Toxiproxy(usEast.url).populate([
      {
        name: "repl-eu-west",
        listen: `127.0.0.1:${replListen}`,
        upstream: `127.0.0.1:${primary.port}`,
        enabled: true,
      },
    ]);
    const standby = await pg.startNode(
      { node: { name: "pg-eu-west-1", region: "eu-west", store: "postgres", role: "replica" } },
      { host: "127.0.0.1", port: replListen },
    );
    await standby.waitStreaming(60_000);
    say(`PostgreSQL: primary 127.0.0.1:${primary.port}, standby 127.0.0.1:${standby.port} (streaming)`);
    // One client proxy exists before the run; the other three are for faultline to create.
    const existing = await allocatePort();
    await new Toxiproxy(usEast.url).populate([
      {
        name: "east-clients-east",
        listen: `127.0.0.1:${existing}`,
        upstream: `127.0.0.1:${primary.port}`,
        enabled: true,
      },
    ]);
    const clientLink = async (
      region: string,
      node: string,
      port: number,
      server: string,
      proxy: string,
      listen?: number,
    ) => ({
      from: `clients@${region}`,
      to: node,
      toxiproxy: server,
      proxy,
      listen: `127.0.0.1:${listen ?? (await allocatePort())}`,
      upstream: `127.0.0.1:${port}`,
    });
    const deployment = {
      store: "postgres",
      regions: ["us-east", "eu-west"],
      toxiproxies: { "us-east": { url: usEast.url }, "eu-west": { url: euWest.url } },
      credentials: { user: { env: USER_ENV }, password: { env: PASSWORD_ENV }, database: DATABASE },
      nodes: [
        { name: "pg-us-east-1", region: "us-east", role: "primary", address: `127.0.0.1:${primary.port}` },
        { name: "pg-eu-west-1", region: "eu-west", role: "standby", address: `127.0.0.1:${standby.port}` },
      ],
      links: [
        await clientLink("us-east", "pg-us-east-1", primary.port, "us-east", "east-clients-east", existing),
        await clientLink("us-east", "pg-eu-west-1", standby.port, "eu-west", "east-clients-west"),
        await clientLink("eu-west", "pg-eu-west-1", standby.port, "eu-west", "west-clients-west"),
        await clientLink("eu-west", "pg-us-east-1", primary.port, "us-east", "west-clients-east"),
        {
          from: "pg-eu-west-1",
          to: "pg-us-east-1",
          toxiproxy: "us-east",
          proxy: "repl-eu-west",
          listen: `127.0.0.1:${replListen}`,
          upstream: `127.0.0.1:${primary.port}`,
        },
      ],
    };
    const file = join(work, "deployment.json");
    writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
    say(`deployment file: ${file}`);
    return {
      file,
      env: { [USER_ENV]: SUPERUSER, [PASSWORD_ENV]: pg.password },
      servers: { "us-east": usEast, "eu-west": euWest },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
