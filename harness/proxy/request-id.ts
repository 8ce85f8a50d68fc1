/**
 * Request ids in the shape Toxiproxy sends them: it tags every routed response with an
 * `X-Toxiproxy-Request-Id` header (zerolog's hlog.RequestIDHandler), whose value is an xid: 12
 * bytes (4 of seconds since the epoch, 3 of machine id, 2 of pid, 3 of a counter) written as 20
 * characters of lower-case base32hex. Clients and log collectors that parse it get the same form.
 */
import { randomBytes } from "node:crypto";

export const REQUEST_ID_HEADER = "X-Toxiproxy-Request-Id";

const ALPHABET = "0123456789abcdefghijklmnopqrstuv";
const machine = randomBytes(3);
let counter = randomBytes(3).readUIntBE(0, 3);

/** A new xid-shaped id: 20 characters of [0-9a-v], increasing within a second. */
export function newRequestId(now = Date.now()): string {
  const raw = Buffer.alloc(12);
  raw.writeUInt32BE(Math.floor(now / 1000) >>> 0, 0);
  machine.copy(raw, 4);
  raw.writeUInt16BE(process.pid & 0xffff, 7);
  counter = (counter + 1) & 0xffffff;
  raw.writeUIntBE(counter, 9, 3);
  // 96 bits as 20 groups of 5 (the last group padded with 4 zero bits), as xid encodes them.
  let bits = 0n;
  for (const b of raw) bits = (bits << 8n) | BigInt(b);
  bits <<= 4n;
  let out = "";
  for (let i = 19; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}
