/** Debian-packaged server binaries: found on PATH or in Debian's dirs; a missing one is named
 *  with the apt-get command that installs it. */
import { describe, expect, it } from "vitest";
import { findSystemBinary, missingBinary } from "../../harness/stores/system-binary.ts";

describe("system binaries", () => {
  it("finds a binary in Debian's dirs even with an empty PATH", () => {
    const saved = process.env.PATH;
    process.env.PATH = "";
    try {
      expect(findSystemBinary("sh")).toMatch(/^\/(usr\/)?bin\/sh$/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("says how to install one that is missing", () => {
    expect(findSystemBinary("faultline-no-such-server")).toBeUndefined();
    expect(missingBinary("redis-sentinel", "redis-sentinel")).toMatch(
      /^redis-sentinel is not installed .*: apt-get install -y redis-sentinel$/,
    );
  });
});
