/**
 * Free loopback ports. The kernel picks a free port for a socket bound to port 0; we close it
 * and hand the number out. Another process may take it before the server binds, so callers
 * retry their start on "address in use" (see `isAddressInUse`) with a fresh port.
 */
import { createServer } from "node:net";

export const LOOPBACK = "127.0.0.1";

/** Ports handed out recently by this process, so two nodes started together never share one. */
const recentlyHandedOut = new Set<number>();
const RECENT_LIMIT = 256;

function bindEphemeral(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A port on `host` (default 127.0.0.1) that was free a moment ago and that we have not handed out. */
export async function allocatePort(host: string = LOOPBACK): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindEphemeral(host);
    if (port > 0 && !recentlyHandedOut.has(port)) {
      recentlyHandedOut.add(port);
      if (recentlyHandedOut.size > RECENT_LIMIT) {
        const oldest = recentlyHandedOut.values().next().value;
        if (oldest !== undefined) recentlyHandedOut.delete(oldest);
      }
      return port;
    }
  }
  throw new Error(`could not find a free port on ${host} after 50 attempts`);
}

/** True when a server's log or error text says its port was taken. */
export function isAddressInUse(text: string): boolean {
  return /address already in use|EADDRINUSE|could not bind/i.test(text);
}
