/**
 * Runs faultline's proxy server in its own process for bench/proxy.ts (as `faultline proxy`
 * would run it): prints the API URL as one JSON line, stops when stdin closes.
 */
import { startProxyServer } from "../harness/proxy/server.ts";

const server = await startProxyServer({ host: "127.0.0.1", port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void server.close().then(() => process.exit(0));
});
