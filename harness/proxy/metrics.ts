/**
 * Per-proxy traffic metrics, exposed at `/metrics` in Prometheus text format.
 *
 * Byte counters carry Toxiproxy's own names and labels (`toxiproxy_proxy_received_bytes_total`,
 * `toxiproxy_proxy_sent_bytes_total`, labelled direction/proxy/listener/upstream), so existing
 * dashboards work; connection gauges and counters are faultline's additions.
 */

export interface ByteCounters {
  received: number;
  sent: number;
}

export interface ProxyCounters {
  upstream: ByteCounters;
  downstream: ByteCounters;
  connectionsOpen: number;
  connectionsTotal: number;
  upstreamConnectErrors: number;
}

interface Series {
  labels: { proxy: string; listener: string; upstream: string };
  counters: ProxyCounters;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Counters not (yet) exposed, for a proxy that has never listened. */
export function emptyCounters(): ProxyCounters {
  return {
    upstream: { received: 0, sent: 0 },
    downstream: { received: 0, sent: 0 },
    connectionsOpen: 0,
    connectionsTotal: 0,
    upstreamConnectErrors: 0,
  };
}

export class ProxyMetrics {
  /** Keyed by proxy name + listener + upstream, so counters survive a proxy's disable/enable. */
  private readonly series = new Map<string, Series>();

  countersFor(proxy: string, listener: string, upstream: string): ProxyCounters {
    const key = `${proxy}\u0000${listener}\u0000${upstream}`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { proxy, listener, upstream }, counters: emptyCounters() };
      this.series.set(key, s);
    }
    return s.counters;
  }

  render(): string {
    const lines: string[] = [];
    const all = [...this.series.values()];
    const labels = (s: Series, extra = "") => {
      const l = s.labels;
      return `{${extra}listener="${escapeLabel(l.listener)}",proxy="${escapeLabel(l.proxy)}",upstream="${escapeLabel(l.upstream)}"}`;
    };
    const family = (name: string, type: string, help: string, rows: string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
    };
    family(
      "toxiproxy_proxy_received_bytes_total",
      "counter",
      "The total bytes received from the source, per proxy and direction.",
      all.flatMap((s) => [
        `toxiproxy_proxy_received_bytes_total${labels(s, 'direction="downstream",')} ${s.counters.downstream.received}`,
        `toxiproxy_proxy_received_bytes_total${labels(s, 'direction="upstream",')} ${s.counters.upstream.received}`,
      ]),
    );
    family(
      "toxiproxy_proxy_sent_bytes_total",
      "counter",
      "The total bytes sent to the destination, per proxy and direction.",
      all.flatMap((s) => [
        `toxiproxy_proxy_sent_bytes_total${labels(s, 'direction="downstream",')} ${s.counters.downstream.sent}`,
        `toxiproxy_proxy_sent_bytes_total${labels(s, 'direction="upstream",')} ${s.counters.upstream.sent}`,
      ]),
    );
    family(
      "faultline_proxy_connections_open",
      "gauge",
      "Client connections currently open through the proxy.",
      all.map((s) => `faultline_proxy_connections_open${labels(s)} ${s.counters.connectionsOpen}`),
    );
    family(
      "faultline_proxy_connections_total",
      "counter",
      "Client connections accepted by the proxy.",
      all.map((s) => `faultline_proxy_connections_total${labels(s)} ${s.counters.connectionsTotal}`),
    );
    family(
      "faultline_proxy_upstream_connect_errors_total",
      "counter",
      "Client connections closed because the upstream could not be reached.",
      all.map(
        (s) =>
          `faultline_proxy_upstream_connect_errors_total${labels(s)} ${s.counters.upstreamConnectErrors}`,
      ),
    );
    return `${lines.join("\n")}\n`;
  }
}
