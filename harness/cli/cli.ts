/**
 * The `faultline` command line. Every failure to run prints one clear line and exits 3;
 * verdicts exit 0 (valid), 1 (anomalies), 2 (unknown), as DESIGN.md says.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EXIT } from "../../checkers/verdict.ts";
import { DEFAULTS } from "../defaults.ts";

function num(kind: "int" | "positive" | "nonnegative") {
  return (value: string): number => {
    const n = Number(value);
    const ok =
      value.trim() !== "" &&
      Number.isFinite(n) &&
      (kind === "int" ? Number.isInteger(n) && n >= 0 : kind === "positive" ? n > 0 : n >= 0);
    if (!ok) {
      const want =
        kind === "int" ? "a whole number >= 0" : kind === "positive" ? "a number > 0" : "a number >= 0";
      throw new InvalidArgumentError(`expected ${want}, got '${value}'.`);
    }
    return n;
  };
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("faultline")
    .description(
      "Jepsen-style chaos and consistency testing for multi-region data stores.\n" +
        "Starts real stores laid out as regions, injects faults on every link, records every\n" +
        "operation, and checks the history. Exit codes: 0 valid, 1 anomalies, 2 unknown, 3 could not run.",
    )
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("run")
    .description("run a scenario (default: pg-async-replica on the embedded backend) and check its history")
    .argument("[scenario]", "scenario name; see 'faultline scenarios'")
    .option("-t, --time-limit <s>", `seconds of workload (default ${DEFAULTS.timeLimitS})`, num("positive"))
    .option(
      "-c, --concurrency <n>",
      `client processes per region (default ${DEFAULTS.concurrency})`,
      num("int"),
    )
    .option(
      "-r, --rate <ops>",
      `target operations per second, all clients together (default ${DEFAULTS.rate})`,
      num("positive"),
    )
    .option(
      "--seed <n>",
      "seed for operations and faults (default: random, printed on every run)",
      num("int"),
    )
    .option("--store <dir>", "directory for run folders", "store")
    .option("--name <name>", "test name (run folder store/<name>/<timestamp>); default: the scenario")
    .option(
      "--nemesis <list>",
      `faults to inject, comma-separated, e.g. partition, partition-<shape>, latency, clock, kill, pause, failover (a name faultline does not know is refused with the list of every fault it does); 'none' for none (default ${DEFAULTS.nemesis.join(",")})`,
      list,
    )
    .option(
      "--nemesis-interval <s>",
      `seconds between fault starts (default ${DEFAULTS.nemesisIntervalS})`,
      num("positive"),
    )
    .option(
      "--fault-duration <s>",
      `seconds each fault lasts (default ${DEFAULTS.faultDurationS})`,
      num("positive"),
    )
    .option(
      "--latency <ms>",
      `one-way latency added to cross-region links, ms (default ${DEFAULTS.latencyMs})`,
      num("nonnegative"),
    )
    .option(
      "--op-timeout <ms>",
      `an op unanswered this long is recorded as info, ms (default ${DEFAULTS.opTimeoutMs})`,
      num("positive"),
    )
    .option("--slo-p99 <ms>", "fail the run if a region's p99 latency exceeds this", num("positive"))
    .option(
      "--slo-error-rate <fraction>",
      "fail the run if a region's share of failed/unknown ops exceeds this",
      num("nonnegative"),
    )
    .option(
      "--slo-lag <ms>",
      "fail the run if replication lag between two regions exceeds this",
      num("positive"),
    )
    .option(
      "--slo-failover <ms>",
      "fail the run if a failover takes longer than this to take writes",
      num("positive"),
    )
    .option(
      "--slo-conflict-rate <fraction>",
      "fail the run if replication conflicts the store counted per acknowledged write exceed this",
      num("nonnegative"),
    )
    .option(
      "--slo-staleness <ms>",
      "fail the run if a read returned a value replaced (by an acknowledged write) longer ago than this",
      num("nonnegative"),
    )
    .option("--proxy-url <url>", "use this Toxiproxy API instead of starting one (or TOXIPROXY_URL)")
    .option(
      "--backend <name>",
      "where nodes run: local (processes on this machine), docker, compose, external (default local)",
    )
    .option(
      "--deployment <file>",
      "with --backend external: your deployment (nodes, their Toxiproxy servers, fault hooks; JSON or YAML; see README 'Your own deployment')",
    )
    .option(
      "--net <mode>",
      "node-to-node faults: proxy (a Toxiproxy per link) or netns (each node in its own network namespace, partitions cut by nftables; root only) (default proxy)",
    )
    .option(
      "--reads <policy>",
      "read policy: local (the region's own node), pinned (local once it has applied the session's last write and read, else the node that took it), primary (where writes go); a scenario with a variant per policy (pg-async-replica -> pg-reads-*) runs that variant and its expectation; refused where the layout cannot honour it",
    )
    .option(
      "-w, --workload-option <key=value>",
      "a workload knob, e.g. -w opsPerKey=60 -w keysInFlight=8 (register) or -w keys=8 (set); repeatable",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--expect-match",
      "exit 0 when the verdict is what the scenario expects (a negative control finds its anomalies), 1 when not",
    )
    .option("--json", "print the outcome as one JSON object")
    .option("--no-progress", "no progress line while running")
    .action(async (scenario: string | undefined, o) => {
      const { runCommand } = await import("./run-command.ts");
      setExit(await runCommand(scenario, o));
    });

  program
    .command("check")
    .description(
      "check history files (history.jsonl, Jepsen history.edn, a JSON array) or run folders (an interrupted run gets its results.json and report)",
    )
    .argument("<files...>", "history files or run folders")
    .addOption(
      new Option(
        "--checker <name>",
        "checker (default: linearizable; for a run folder, the run's own checkers)",
      ).choices([
        "linearizable",
        "session",
        "set",
        "bank",
        "counter",
        "long-fork",
        "elle-list-append",
        "elle-rw-register",
        "staleness",
        "nothing-lost-silently",
      ]),
    )
    .option(
      "--model <m>",
      "linearizable: register, cas-register, multi-register, kv, set, mutex, fifo-queue",
      "cas-register",
    )
    .option(
      "--initial <json>",
      'initial model state as JSON, e.g. 0 or \'{"x":0}\' (default null; Porcupine\'s kv starts keys at "": use --model kv --initial \'""\')',
    )
    .addOption(
      new Option(
        "--nil-reads <meaning>",
        "linearizable: an ok read of nil/null matches any state (any: Knossos's register models) or means null (value); default any for Jepsen EDN, value for JSONL",
      ).choices(["any", "value"]),
    )
    .option("--consistency-model <c>", "elle: the model that must hold", "strict-serializable")
    .option(
      "--time-limit <s>",
      "search budget per file, seconds; past it the verdict is unknown",
      num("positive"),
    )
    .option(
      "--total <n>",
      "bank: the total every read must sum to (default: from the history)",
      num("nonnegative"),
    )
    .option(
      "--stale-bound-ms <ms>",
      "staleness: a read may return a value replaced this long ago (by an acknowledged write) and pass (default 0)",
      num("nonnegative"),
    )
    .option("--negative-balances", "bank: negative balances are allowed")
    .option("--json", "one JSON object per file per line")
    .option(
      "--out <dir>",
      "write results.json and report.html per input, each in its own folder under this directory",
    )
    .action(async (files: string[], o) => {
      const { checkCommand } = await import("./check-command.ts");
      setExit(await checkCommand(files, o));
    });

  program
    .command("export")
    .description("write a run's history (or any history file) as Jepsen EDN for Knossos, elle-cli and Jepsen")
    .argument("<input>", "a run folder (its history.jsonl) or a history file")
    .addOption(new Option("--format <f>", "output format").choices(["edn"]).default("edn"))
    .option("-o, --out <file>", "write here instead of stdout")
    .option("--vector", "one [...] vector of ops (Knossos's data files) instead of one op per line")
    .action(async (input: string, o) => {
      const { exportCommand } = await import("./export-command.ts");
      setExit(await exportCommand(input, o));
    });

  program
    .command("replay")
    .description(
      "run a past run's test again (same seed, same faults at the same offsets); print both verdicts",
    )
    .argument("<run-dir>", "a run folder, e.g. store/latest")
    .option("--store <dir>", "directory for the new run folder (default: the original's store)")
    .option("--json", "print both outcomes as one JSON object")
    .option("--no-progress", "no progress line while running")
    .action(async (dir: string, o) => {
      const { replayCommand } = await import("./replay-command.ts");
      setExit(await replayCommand(dir, o));
    });

  program
    .command("scenarios")
    .description("list scenarios, their layouts and what each must find")
    .option("--json", "as JSON")
    .action(async (o) => {
      const { scenarios } = await import("../scenarios/index.ts");
      const rows = scenarios.map((s) => ({
        name: s.name,
        layout: s.layout,
        expected: s.expected,
        expectedValid: s.expectedValid,
        implemented: s.implemented,
        workload: s.workload ?? "register",
        defaultNemesis: s.defaults?.nemesis ?? DEFAULTS.nemesis,
        ownNemeses: "nemeses" in s && s.nemeses ? Object.keys(s.nemeses) : [],
        // A different expectation under one of its own nemeses (pg-geo-partitioned under dns-split).
        expectedUnder: s.expectedUnder ?? {},
        faults: [] as string[],
      }));
      // The faults each built scenario's layout can take (partition shapes included).
      const { supportedNemesesOf } = await import("../scenarios/scenario-faults.ts");
      for (const r of rows) if (r.implemented) r.faults = await supportedNemesesOf(r.name).catch(() => []);
      if (o.json) {
        console.log(JSON.stringify(rows));
      } else {
        for (const s of rows) {
          const control = s.expectedValid
            ? "positive control: must pass"
            : "negative control: must find anomalies";
          console.log(
            `${s.name}${s.implemented ? "" : "  (planned)"}\n  layout:   ${s.layout}\n  expected: ${s.expected} (${control})` +
              (s.implemented
                ? `\n  workload: ${s.workload}; default nemesis: ${s.defaultNemesis.join(", ") || "none"}` +
                  (s.ownNemeses.length ? `; its own: ${s.ownNemeses.join(", ")}` : "") +
                  Object.entries(s.expectedUnder)
                    .map(
                      ([n, e]) =>
                        `\n  under ${n}: ${e.expected} (${e.expectedValid ? "positive control: must pass" : "negative control: must find anomalies"})`,
                    )
                    .join("") +
                  `\n  faults:   ${s.faults.join(", ")}`
                : "") +
              "\n",
          );
        }
      }
      setExit(EXIT.valid);
    });

  program
    .command("report")
    .description("(re)write report.html, junit.xml and summary.md of a run folder")
    .argument("<run-dir>", "a run folder, e.g. store/latest")
    .action(async (dir: string) => {
      const { writeReports } = await import("../../reports/write.ts");
      const out = await writeReports(dir);
      console.log(out.html);
      setExit(EXIT.valid);
    });

  program
    .command("serve")
    .description("serve the run folders of a store over HTTP on loopback")
    .argument("[store]", "store directory", "store")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "port", num("int"), 8080)
    .action(async (store: string, o) => {
      const { serveStore } = await import("../../reports/serve.ts");
      const server = await serveStore(store, { host: o.host, port: o.port });
      console.log(`serving ${store} at ${server.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
      setExit(EXIT.valid);
    });

  program
    .command("proxy")
    .description("run a standalone Toxiproxy-compatible server (a drop-in for toxiproxy-server)")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--port <port>", "API port", num("int"), 8474)
    .option("--config <file>", "proxies to create at start (Toxiproxy's JSON format)")
    .option("--proxy-metrics", "serve Prometheus metrics at /metrics (off by default, as in Toxiproxy)")
    .action(async (o) => {
      const { runProxyCommand } = await import("../proxy/command.ts");
      await runProxyCommand({ host: o.host, port: o.port, config: o.config, metrics: o.proxyMetrics });
      setExit(EXIT.valid);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.valid;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : EXIT.error;
    }
    console.error(`faultline: ${(err as Error).message}`);
    if (process.env.FAULTLINE_DEBUG) console.error(err);
    return EXIT.error;
  }
}
