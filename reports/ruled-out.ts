/**
 * The consistency models an Elle result rules out, in words, as Elle prints them (`:not
 * #{:snapshot-isolation}`, `:also-not #{:serializable ...}`): per checker (`not`, `alsoNot`) and
 * per anomaly (`rulesOut`, `alsoRulesOut`, set by checkers/elle/check.ts). Read defensively: the
 * fields come from results.json. Every value is escaped.
 */
import { escapeHtml as h } from "./escape.ts";

function names(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((v): v is string => typeof v === "string") : [];
}

/** "snapshot-isolation (and so serializable, strict-serializable)", or undefined when nothing is ruled out. */
export function ruledOutText(not: unknown, alsoNot: unknown): string | undefined {
  const weakest = names(not);
  if (!weakest.length) return undefined;
  const stronger = names(alsoNot);
  return `${weakest.join(", ")}${stronger.length ? ` (and so ${stronger.join(", ")})` : ""}`;
}

/** One HTML line for a checker result or an anomaly; empty when it rules nothing out. */
export function ruledOutHtml(lead: string, not: unknown, alsoNot: unknown): string {
  const weakest = names(not);
  if (!weakest.length) return "";
  const stronger = names(alsoNot);
  const code = (xs: string[]) => xs.map((m) => `<code>${h(m)}</code>`).join(", ");
  return `<p class="rules-out">${h(lead)} ${code(weakest)}${stronger.length ? `, and so the stronger ${code(stronger)}` : ""}.</p>`;
}
