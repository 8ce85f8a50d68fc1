/** Server log files: we open them (so a server running as another user can still write to a
 * folder only we can read) and read them back for error messages. */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";

/** Opens `file` for appending; the fd is handed to the child as its stdout and stderr. */
export function openLogForAppend(file: string): { fd: number; offset: number } {
  const fd = openSync(file, "a", 0o644);
  return { fd, offset: fstatSync(fd).size };
}

/** What was appended to `file` after byte `offset` (at most the last `maxBytes`). */
export function readLogSince(file: string, offset: number, maxBytes = 64 * 1024): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return "";
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(offset, size - maxBytes);
    if (size <= start) return "";
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of `file`, for error messages ("" when it cannot be read). */
export function tailLog(file: string, lines = 20, sinceOffset = 0): string {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return "";
  }
  const text = readLogSince(file, Math.max(sinceOffset, size - 16 * 1024));
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
