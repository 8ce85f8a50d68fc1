// Draws the report's charts with uPlot (inlined in the page) from the JSON in #chart-data.
// Runs in the browser; no network. Sets data-charts-drawn on <body> when done (tests read it).
(() => {
  const dataEl = document.getElementById("chart-data");
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent || "null");
  if (!data) return;
  if (typeof uPlot === "undefined") {
    for (const el of document.querySelectorAll(".chart-slot"))
      el.textContent = "Charts unavailable: uPlot was not inlined.";
    return;
  }
  const FAULT_FILL = "rgba(220, 38, 38, 0.10)";
  const FAULT_EDGE = "rgba(220, 38, 38, 0.45)";
  const PALETTE = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#9333ea"];

  // Shades fault windows behind the series and names them along the top edge.
  function faultPlugin(faults, end) {
    return {
      hooks: {
        drawClear: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            for (const f of faults) {
              const x0 = Math.max(bbox.left, u.valToPos(f.start, "x", true));
              const x1 = Math.min(bbox.left + bbox.width, u.valToPos(f.stop ?? end, "x", true));
              if (!(x1 > x0)) continue;
              ctx.fillStyle = FAULT_FILL;
              ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
              ctx.fillStyle = FAULT_EDGE;
              ctx.fillRect(x0, bbox.top, 1, bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
            ctx.fillStyle = "rgba(153, 27, 27, 0.9)";
            // uPlot leaves its own alignment on the context; labels start at the window's left edge.
            ctx.textAlign = "left";
            ctx.textBaseline = "alphabetic";
            for (const f of faults) {
              const x0 = Math.max(bbox.left, u.valToPos(f.start, "x", true));
              const x1 = Math.min(bbox.left + bbox.width, u.valToPos(f.stop ?? end, "x", true));
              if (!(x1 - x0 > 30 * devicePixelRatio)) continue;
              // Drop whole words until it fits ("isolate eu-west…", never "isolate eu-we…").
              let label = f.label;
              while (label.length > 3 && ctx.measureText(label).width > x1 - x0 - 6) {
                const words = label.replace(/…$/, "").split(" ");
                label = words.length > 1 ? `${words.slice(0, -1).join(" ")}…` : "";
              }
              ctx.fillText(label, x0 + 4, bbox.top + 13 * devicePixelRatio);
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function isPow10(v) {
    const l = Math.log10(v);
    return Math.abs(l - Math.round(l)) < 1e-9;
  }

  function decades(_u, splits) {
    return splits.map((v) => (isPow10(v) ? v : null));
  }

  // Whole decades, so every chart shows at least two labelled powers of ten.
  function decadeRange(_u, min, max) {
    const lo = 10 ** Math.floor(Math.log10(min > 0 ? min : 0.001));
    let hi = 10 ** Math.ceil(Math.log10(max > 0 ? max : 1));
    if (hi <= lo) hi = lo * 10;
    return [lo, hi];
  }

  function width(el) {
    return Math.max(320, Math.floor(el.getBoundingClientRect().width || 900));
  }

  const sync = uPlot.sync("latency");
  let drawn = 0;
  const plots = [];

  const latencyEl = document.getElementById("latency-charts");
  if (latencyEl && data.latency.length) {
    for (const s of data.latency) {
      const slot = document.createElement("div");
      slot.className = "chart";
      latencyEl.appendChild(slot);
      const point = (color, size) => ({ show: true, size, fill: color, stroke: color, width: 1 });
      const opts = {
        title: `${s.region}: latency per operation (ms, log scale)${s.drawn < s.total ? ` — ${s.drawn} of ${s.total} points drawn` : ""}`,
        width: width(latencyEl),
        height: 200,
        cursor: { sync: { key: sync.key }, drag: { x: true, y: false } },
        scales: { x: { time: false }, y: { distr: 3, log: 10, range: decadeRange } },
        legend: { live: false },
        axes: [
          { label: "seconds since start", values: (_u, vals) => vals.map((v) => `${v}s`) },
          // Log axis: label and grid only the powers of ten, not every 2..9 in between.
          { label: "ms", filter: decades, grid: { filter: decades }, ticks: { filter: decades } },
        ],
        series: [
          { label: "t (s)" },
          { label: "ok", stroke: "#16a34a", paths: () => null, points: point("rgba(22,163,74,0.55)", 3) },
          {
            label: "no effect (normal answer)",
            stroke: "#0891b2",
            paths: () => null,
            points: point("rgba(8,145,178,0.6)", 3),
          },
          {
            label: "fail (error)",
            stroke: "#6b7280",
            paths: () => null,
            points: point("rgba(75,85,99,0.8)", 5),
          },
          {
            label: "info (unknown)",
            stroke: "#ea580c",
            paths: () => null,
            points: point("rgba(234,88,12,0.9)", 6),
          },
        ],
        plugins: [faultPlugin(data.faults, data.end)],
      };
      plots.push(new uPlot(opts, [s.x, s.ok, s.noEffect ?? s.ok.map(() => null), s.fail, s.info], slot));
      drawn++;
    }
  }

  const lagEl = document.getElementById("lag-chart");
  if (lagEl && data.lag) {
    const opts = {
      title: `Replication lag by region pair (ms)${data.lag.drawn < data.lag.total ? ` — ${data.lag.drawn} of ${data.lag.total} points drawn` : ""}`,
      width: width(lagEl),
      height: 220,
      cursor: { sync: { key: sync.key } },
      legend: { live: false },
      scales: { x: { time: false } },
      axes: [
        { label: "seconds since start", values: (_u, vals) => vals.map((v) => `${v}s`) },
        { label: "ms" },
      ],
      series: [
        { label: "t (s)" },
        ...data.lag.pairs.map((p, i) => ({
          label: p,
          stroke: PALETTE[i % PALETTE.length],
          // Measured samples only: a line between two probes would invent the values in between
          // (while replication is cut no probe completes, and a line would draw a ramp).
          paths: () => null,
          points: { show: true, size: 6, fill: PALETTE[i % PALETTE.length] },
        })),
      ],
      plugins: [faultPlugin(data.faults, data.end)],
    };
    plots.push(new uPlot(opts, [data.lag.x, ...data.lag.ys], lagEl));
    drawn++;
  }

  const signalsEl = document.getElementById("signal-charts");
  if (signalsEl && data.signals) {
    for (const sig of data.signals) {
      const slot = document.createElement("div");
      slot.className = "chart";
      signalsEl.appendChild(slot);
      const opts = {
        title: `${sig.kind} (${sig.field})`,
        width: width(signalsEl),
        height: 180,
        cursor: { sync: { key: sync.key } },
        legend: { live: false },
        scales: { x: { time: false } },
        axes: [
          { label: "seconds since start", values: (_u, vals) => vals.map((v) => `${v}s`) },
          { label: sig.field },
        ],
        series: [
          { label: "t (s)" },
          ...sig.names.map((name, i) => ({
            label: name,
            stroke: PALETTE[i % PALETTE.length],
            width: 1.5,
            spanGaps: true,
            points: { show: true, size: 4, fill: PALETTE[i % PALETTE.length] },
          })),
        ],
        plugins: [faultPlugin(data.faults, data.end)],
      };
      plots.push(new uPlot(opts, [sig.x, ...sig.ys], slot));
      drawn++;
    }
  }

  window.addEventListener("resize", () => {
    for (const p of plots) p.setSize({ width: width(p.root.parentElement), height: p.height });
  });
  document.body.dataset.chartsDrawn = String(drawn);
})();
