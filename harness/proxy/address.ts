/**
 * `host:port` addresses as Go's net package reads and prints them, so that `listen` values and
 * listen errors look like Toxiproxy's.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port` / `[v6]:port` / `:port` (Go's SplitHostPort, numeric ports only). */
export function splitHostPort(addr: string): HostPort {
  let host: string;
  let portText: string;
  if (addr.startsWith("[")) {
    const close = addr.indexOf("]");
    if (close < 0) throw new Error(`address ${addr}: missing ']' in address`);
    host = addr.slice(1, close);
    if (addr[close + 1] !== ":") throw new Error(`address ${addr}: missing port in address`);
    portText = addr.slice(close + 2);
  } else {
    const colon = addr.lastIndexOf(":");
    if (colon < 0) throw new Error(`address ${addr}: missing port in address`);
    host = addr.slice(0, colon);
    if (host.includes(":")) throw new Error(`address ${addr}: too many colons in address`);
    portText = addr.slice(colon + 1);
  }
  const port = portText === "" ? 0 : Number(portText);
  if (!/^\d*$/.test(portText) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`address ${addr}: invalid port`);
  }
  return { host, port };
}

/** Go's JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The address to bind for a listen host. Go listens on one address of a name, preferring IPv4
 * (`localhost` -> 127.0.0.1); an empty host means every interface.
 */
export async function resolveListenHost(host: string): Promise<string> {
  if (host === "") return "::";
  if (isIP(host)) return host;
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    try {
      return (await lookup(host)).address;
    } catch {
      throw new Error(`lookup ${host}: no such host`);
    }
  }
}

/** Go's wording for the usual listen failures. */
export function listenErrorMessage(listen: string, err: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    EADDRINUSE: "bind: address already in use",
    EACCES: "bind: permission denied",
    EADDRNOTAVAIL: "bind: cannot assign requested address",
  };
  const reason = (err.code && reasons[err.code]) ?? err.message;
  return `listen tcp ${listen}: ${reason}`;
}
