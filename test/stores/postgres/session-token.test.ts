/**
 * The PostgreSQL session token on its own (a stand-in connection answers the caught-up question):
 * LSNs order as PostgreSQL orders them, the token keeps the largest position and its node, a read
 * stays local only when the local node says it has applied the token, and an unreachable local
 * node sends the read to the holder.
 */
import { describe, expect, it } from "vitest";
import type { PgConnection } from "../../../harness/stores/postgres/node-connections.ts";
import { lsnValue, PgSessionToken } from "../../../harness/stores/postgres/session-token.ts";

/** A connection whose caught-up answer is `answer` (or that fails), recording the token it was asked about. */
function conn(answer: boolean | Error, asked: unknown[]): PgConnection {
  return {
    query: async (_text: string, values: unknown[]) => {
      asked.push(values[0]);
      if (answer instanceof Error) throw answer;
      return { rows: [{ caught_up: answer }] };
    },
  } as unknown as PgConnection;
}

describe("PostgreSQL session token", () => {
  it("orders LSNs by their two halves", () => {
    expect(lsnValue("0/16B3748") < lsnValue("0/16B3750")).toBe(true);
    expect(lsnValue("1/0") > lsnValue("0/FFFFFFFF")).toBe(true);
    expect(() => lsnValue("nope")).toThrow(/not a pg_lsn/);
  });

  it("keeps the largest position seen, write or read, and the node it was seen on", async () => {
    const asked: unknown[] = [];
    const t = new PgSessionToken(() => conn(true, asked));
    expect(await t.readNode("standby")).toBe("standby"); // nothing yet
    t.advance("primary", "0/3000100");
    t.advance("standby", "0/3000000"); // an older read position does not lower it
    expect(t.describe()).toBe("primary at 0/3000100");
    expect(await t.readNode("standby")).toBe("standby");
    expect(asked).toEqual(["0/3000100"]);
    expect(await t.readNode("primary")).toBe("primary"); // the holder itself: no question asked
    expect(asked).toHaveLength(1);
  });

  it("sends the read to the holder when the local node is behind or cannot answer", async () => {
    const behind = new PgSessionToken(() => conn(false, []));
    behind.advance("primary", "0/5000000");
    expect(await behind.readNode("standby")).toBe("primary");
    const down = new PgSessionToken(() => conn(new Error("connect ECONNREFUSED"), []));
    down.advance("primary", "0/5000000");
    expect(await down.readNode("standby")).toBe("primary");
  });
});
