import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { escapeHtml, escapeMarkdown, escapeXml, jsonForScript } from "../../reports/escape.ts";

describe("escaping", () => {
  it("escapeHtml leaves no character that can open a tag or close an attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(escapeHtml(s)).not.toMatch(/[<>"'`]/);
      }),
    );
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("jsonForScript round-trips and can never close the script element", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (v, s) => {
        const value = { v, s: `${s}</script><!--` };
        const out = jsonForScript(value);
        expect(out).not.toMatch(/[<>]/);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("escapeXml keeps text and attributes well-formed, whatever the input", () => {
    const parser = new XMLParser({ ignoreAttributes: false });
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const doc = `<a b="${escapeXml(s)}">${escapeXml(s)}</a>`;
        expect(XMLValidator.validate(doc)).toBe(true);
        expect(() => parser.parse(doc)).not.toThrow();
      }),
    );
  });

  it("escapeMarkdown neutralises Markdown and HTML without mangling entities", () => {
    expect(escapeMarkdown("eu-west's *bold* | [x](y) <b>\n# h")).toBe(
      "eu-west's \\*bold\\* \\| \\[x\\]\\(y\\) &lt;b&gt; \\# h",
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = escapeMarkdown(s);
        expect(out).not.toMatch(/[<>\n]/);
        // Every | is escaped, so a value cannot add a table cell.
        expect(out.replace(/\\\|/g, "")).not.toContain("|");
      }),
    );
  });
});
