// Bar and line charts of a result, drawn as SVG in the page (no library,
// no network). A result is chartable when it has a label column and at
// least one numeric column.

const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];
// MAX_POINTS bounds what one chart draws; more would be unreadable.
export const MAX_POINTS = 200;

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT\d*)\b/i;
const TEMPORAL = /^(DATE|TIMESTAMP|TIME)/i;

export const isNumeric = (type) => NUMERIC.test(type || "");

// plan picks the label column, the numeric series and the chart kind, or
// returns null when the result cannot be charted. hint is a saved
// query's chart hint ("bar", "line" or "").
export function plan(columns, rows, hint) {
  if (!rows.length || columns.length < 2) return null;
  let label = columns.findIndex((c) => !isNumeric(c.type));
  if (label < 0) label = 0; // all numeric: the first column labels the rest
  const series = columns.map((c, i) => i).filter((i) => i !== label && isNumeric(columns[i].type));
  if (!series.length) return null;
  const ordered = TEMPORAL.test(columns[label].type) || isNumeric(columns[label].type);
  const kind = hint === "bar" || hint === "line" ? hint : (ordered && rows.length > 2 ? "line" : "bar");
  return {label, series, kind};
}

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// niceTicks returns about n round tick values covering [lo, hi].
function niceTicks(lo, hi, n) {
  if (lo === hi) { hi = lo + 1; }
  const raw = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  if (out[out.length - 1] < hi) out.push(+(out[out.length - 1] + step).toPrecision(12));
  return out;
}

const short = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
const fmt = (v) => (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(+v.toPrecision(6)));

// draw renders the chart into host (replacing its content) and returns
// the SVG element. Each measure gets its own panel and y axis, stacked
// under one shared x axis of labels: a 0-1 ratio beside counts of 400 on
// one axis would be a flat line.
export function draw(host, columns, rows, p, title) {
  const data = rows.slice(0, MAX_POINTS);
  const panelH = p.series.length > 1 ? 150 : 226;
  const W = 760, m = {top: 28, right: 16, bottom: 86, left: 64, gap: 22};
  const iw = W - m.left - m.right;
  const H = m.top + p.series.length * panelH + (p.series.length - 1) * m.gap + m.bottom;
  const names = p.series.map((i) => columns[i].name);
  const svg = el("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", class: "chart-svg", "data-kind": p.kind, "data-panels": p.series.length,
    "aria-label": `${p.kind} chart of ${names.join(", ")} by ${columns[p.label].name}`});
  svg.append(el("title", {}, title || `${names.join(", ")} by ${columns[p.label].name}`));
  const band = iw / data.length;
  const x = (j) => m.left + band * j + band / 2;
  p.series.forEach((ci, s) => {
    const top = m.top + s * (panelH + m.gap);
    drawPanel(svg, {data, ci, col: columns[ci], label: p.label, kind: p.kind, color: COLORS[s % COLORS.length],
      left: m.left, top, iw, ih: panelH, band, x});
  });
  drawLabels(svg, data, p.label, x, m.top + p.series.length * panelH + (p.series.length - 1) * m.gap);
  drawLegend(svg, names, m.left);
  host.replaceChildren(svg);
  return svg;
}

// drawPanel draws one measure with its own y axis in the box at (left,
// top) of size iw x ih.
function drawPanel(svg, o) {
  const values = o.data.map((r) => Number(r[o.ci])).filter(Number.isFinite);
  const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values), 4);
  const y0 = ticks[0], y1 = ticks[ticks.length - 1];
  const y = (v) => o.top + o.ih - ((v - y0) / (y1 - y0)) * o.ih;
  const g = el("g", {class: "axis", "data-measure": o.col.name});
  for (const t of ticks) {
    g.append(el("line", {x1: o.left, x2: o.left + o.iw, y1: y(t), y2: y(t), class: "grid-line"}));
    g.append(el("text", {x: o.left - 6, y: y(t) + 4, "text-anchor": "end"}, fmt(t)));
  }
  g.append(el("line", {x1: o.left, x2: o.left + o.iw, y1: y(0), y2: y(0), class: "zero-line"}));
  svg.append(g);
  const plot = el("g", {class: "plot"});
  if (o.kind === "bar") {
    const bw = Math.max(1, o.band * 0.8);
    o.data.forEach((r, j) => {
      const v = Number(r[o.ci]);
      if (!Number.isFinite(v)) return;
      const rect = el("rect", {x: o.left + o.band * j + o.band * 0.1, y: Math.min(y(v), y(0)), width: bw,
        height: Math.abs(y(v) - y(0)), fill: o.color, class: "bar"});
      rect.append(el("title", {}, `${r[o.label]}: ${o.col.name} ${v}`));
      plot.append(rect);
    });
  } else {
    const pts = o.data.map((r, j) => [o.x(j), Number(r[o.ci])]).filter(([, v]) => Number.isFinite(v));
    plot.append(el("polyline", {points: pts.map(([px, v]) => `${px},${y(v)}`).join(" "), fill: "none", stroke: o.color, "stroke-width": 2, class: "line"}));
    if (pts.length <= 60) {
      for (const [px, v] of pts) {
        const c = el("circle", {cx: px, cy: y(v), r: 3, fill: o.color});
        c.append(el("title", {}, `${o.col.name} ${v}`));
        plot.append(c);
      }
    }
  }
  svg.append(plot);
}

// drawLabels writes the x labels (at most ~30) under the last panel.
function drawLabels(svg, data, label, x, bottom) {
  const g = el("g", {class: "axis"});
  const every = Math.ceil(data.length / 30);
  data.forEach((r, j) => {
    if (j % every) return;
    const text = r[label] === null ? "NULL" : String(r[label]);
    g.append(el("text", {x: x(j), y: bottom + 12, transform: `rotate(40 ${x(j)} ${bottom + 12})`, "text-anchor": "start"}, short(text, 18)));
  });
  svg.append(g);
}

function drawLegend(svg, names, left) {
  const legend = el("g", {class: "legend"});
  let lx = left;
  names.forEach((n, s) => {
    legend.append(el("rect", {x: lx, y: 8, width: 12, height: 12, fill: COLORS[s % COLORS.length]}));
    legend.append(el("text", {x: lx + 16, y: 18}, short(n, 24)));
    lx += 24 + Math.min(n.length, 24) * 7.5;
  });
  svg.append(legend);
}
