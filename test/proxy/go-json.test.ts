/** Unit: request bodies decode as Toxiproxy's Go server decodes them. */
import { describe, expect, it } from "vitest";
import { decodeStruct, formatFloat32, parseFirstValue } from "../../harness/proxy/go-json.ts";

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
};

describe("parseFirstValue", () => {
  it("reads only the first value, as json.Decoder does", () => {
    expect(parseFirstValue('{"a":1} and then garbage')).toEqual({ a: 1 });
    expect(parseFirstValue("  [1, 2]\n[3]")).toEqual([1, 2]);
  });

  it("reports syntax errors in Go's words", () => {
    expect(err(() => parseFirstValue(""))).toBe("EOF");
    expect(err(() => parseFirstValue("{bad"))).toBe(
      "invalid character 'b' looking for beginning of object key string",
    );
    expect(err(() => parseFirstValue('{"a":1'))).toBe("unexpected EOF");
    expect(err(() => parseFirstValue("nope"))).toBe("invalid character 'o' in literal null (expecting 'u')");
    expect(err(() => parseFirstValue("[1 2]"))).toBe("invalid character '2' after array element");
    expect(err(() => parseFirstValue('{"a" 1}'))).toBe("invalid character '1' after object key");
  });
});

describe("decodeStruct", () => {
  const schema = { name: "string", enabled: "bool", rate: "int64", toxicity: "float32" } as const;
  const dflt = { name: "", enabled: true, rate: 0, toxicity: 1 };

  it("fills defaults, ignores unknown fields and nulls, matches keys case-insensitively", () => {
    expect(decodeStruct({ NAME: "x", extra: 1, rate: null }, schema, dflt, "T")).toEqual({
      ...dflt,
      name: "x",
    });
  });

  it("names the Go field and type on a type mismatch", () => {
    expect(err(() => decodeStruct({ name: 5 }, schema, dflt, "toxiproxy.Proxy"))).toBe(
      "json: cannot unmarshal number into Go struct field toxiproxy.Proxy.name of type string",
    );
    expect(err(() => decodeStruct({ rate: 1.5 }, schema, dflt, "T"))).toBe(
      "json: cannot unmarshal number 1.5 into Go struct field T.rate of type int64",
    );
    expect(err(() => decodeStruct([1], schema, dflt, "T"))).toBe(
      "json: cannot unmarshal array into Go value of type T",
    );
  });

  it("refuses integer fields whose literal is not a Go integer (100.0, 1e3, beyond int64)", () => {
    const schema = { n: "int64" } as const;
    const decode = (body: string) => decodeStruct(parseFirstValue(body), schema, { n: 0 }, "T", "a.");
    for (const lit of ["100.0", "1e3", "1E3", "9223372036854775808", "-9223372036854775809"]) {
      expect(err(() => decode(`{"n": ${lit}}`))).toBe(
        `json: cannot unmarshal number ${lit} into Go struct field T.a.n of type int64`,
      );
    }
    expect(decode('{"n": 100}')).toEqual({ n: 100 });
    expect(decode('{"n": -9223372036854775808}')).toEqual({ n: -9223372036854775808 });
    // A float field takes any number literal.
    expect(decodeStruct(parseFirstValue('{"t": 1e-1}'), { t: "float32" }, { t: 1 }, "T")).toEqual({
      t: Math.fround(0.1),
    });
  });

  it("formats float32 as Go does", () => {
    expect(formatFloat32(0.1)).toBe(0.1);
    expect(formatFloat32(Math.fround(0.3))).toBe(0.3);
    expect(formatFloat32(1)).toBe(1);
  });
});
