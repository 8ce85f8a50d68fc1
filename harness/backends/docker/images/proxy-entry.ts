/**
 * Entry point of the proxy image (bundled into one file by images.ts): `faultline proxy` without
 * the rest of the CLI. Flags: --host H (default 0.0.0.0: inside its container), --port P (8474),
 * --config FILE (proxies to create at start, Toxiproxy's format).
 */
import { parseArgs } from "node:util";
import { DEFAULT_PROXY_PORT, runProxyCommand } from "../../../proxy/command.ts";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "0.0.0.0" },
    port: { type: "string", default: String(DEFAULT_PROXY_PORT) },
    config: { type: "string" },
  },
});
await runProxyCommand({ host: values.host!, port: Number(values.port), config: values.config });
