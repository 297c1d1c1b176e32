// The query page: runs SQL (or a saved query) against /v1/query, shows the
// fixed JSON shape as a grid or a chart, and downloads, shares and cancels.
// The side panels (catalog, saved queries, history) are in panels.js.
import * as api from "./api.js";
import * as grid from "./grid.js";
import * as chart from "./chart.js";
import * as panels from "./panels.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_SQL = `SELECT exam_name, count(*) AS attempts
FROM assessments.attempts
GROUP BY 1
ORDER BY attempts DESC
LIMIT 10`;

// page is the state the handlers share.
const page = {
  editor: null,
  running: null, // {controller, started, timer}
  last: null, // what the shown result came from: {sql, params} or {saved, params, chart}
  result: null, // the shown answer
  chartKind: "", // the user's pick; "" = automatic
};

// makeEditor uses the CodeMirror bundle (editor.js) when it loaded, else a
// plain textarea with the same small interface.
function makeEditor(doc) {
  const host = $("editor");
  if (window.LakegateEditor) {
    return window.LakegateEditor.create(host, {doc, id: "sql-input", label: "SQL", onRun: () => runSQL()});
  }
  const ta = document.createElement("textarea");
  ta.id = "sql-input";
  ta.spellcheck = false;
  ta.value = doc;
  ta.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runSQL(); }
  });
  host.append(ta);
  return {
    getValue: () => ta.value,
    setValue: (t) => { ta.value = t; },
    insert: (t) => { ta.setRangeText(t, ta.selectionStart, ta.selectionEnd, "end"); ta.focus(); },
    setSchema: () => {},
    select: () => ta.focus(),
    focus: () => ta.focus(),
  };
}

// runSQL runs the editor's text.
export function runSQL() {
  const sql = page.editor.getValue();
  if (!sql.trim()) { showError({code: "invalid", message: "Write a query first."}); return; }
  share({sql});
  execute({sql}, () => api.request("/v1/query", {json: {sql, engine: engine()}, signal: page.running.controller.signal}));
}

// runSaved runs a saved query with its parameter values; the editor then
// shows the saved query's SQL, so what is shown is what ran.
export function runSaved(q, params) {
  if (q.sql) page.editor.setValue(q.sql);
  share({saved: q.name, params});
  execute({saved: q.name, params, chart: q.chart, title: q.title}, () =>
    api.request(`/v1/saved/${encodeURIComponent(q.name)}/run`, {json: {params, engine: engine()}, signal: page.running.controller.signal}));
}

// engine is the engine the selector asks for: auto, duckdb or presto.
function engine() { return $("engine").value; }

async function execute(what, send) {
  if (page.running) page.running.controller.abort();
  const run = {controller: new AbortController(), started: performance.now()};
  page.running = run;
  setRunning(true);
  hideError();
  run.timer = setInterval(() => {
    $("meta").textContent = `Running… ${((performance.now() - run.started) / 1000).toFixed(1)} s`;
  }, 100);
  $("meta").textContent = "Running…";
  try {
    const res = await send();
    const body = await res.json();
    if (page.running !== run) return;
    body.cached = body.cached || res.headers.get("X-Lakegate-Cache") === "hit";
    page.last = what;
    show(body);
  } catch (e) {
    if (page.running !== run) return;
    if (e.name === "AbortError") {
      $("meta").textContent = `Canceled after ${((performance.now() - run.started) / 1000).toFixed(1)} s.`;
      $("status").textContent = "Query canceled";
    } else {
      // The grid and chart would belong to an earlier query: clear them.
      page.result = null;
      grid.clear($("result"));
      $("truncated").hidden = true;
      $("download").disabled = true;
      drawChart();
      $("meta").textContent = "";
      showError(e);
    }
  } finally {
    clearInterval(run.timer);
    if (page.running === run) { page.running = null; setRunning(false); }
    panels.refreshHistory();
  }
}

function setRunning(on) {
  $("run").disabled = on;
  $("cancel").disabled = !on;
  document.body.classList.toggle("running", on);
  $("results").setAttribute("aria-busy", on ? "true" : "false");
  if (on) $("status").textContent = "Query running";
}

export function cancel() {
  if (page.running) page.running.controller.abort();
}

// show renders one successful answer: meta line, notice, grid and chart.
function show(body) {
  page.result = body;
  page.chartKind = "";
  const n = body.row_count ?? body.rows.length;
  const rowsText = `${n} row${n === 1 ? "" : "s"}`;
  const parts = [page.last && page.last.saved ? `${page.last.title || page.last.saved}:` : "", rowsText, `${Math.round(body.elapsed_ms)} ms`, body.engine || "", body.cached ? "cached" : "not cached"];
  $("meta").textContent = parts.filter(Boolean).join(" · ").replace(": · ", ": ");
  $("meta").title = [body.query_id ? "query id " + body.query_id : "", body.route_reason ? `${body.engine}: ${body.route_reason}` : ""].filter(Boolean).join("\n");
  $("status").textContent = `Query finished: ${rowsText}`;
  $("truncated").hidden = !body.truncated;
  grid.render($("result"), body.columns, body.rows);
  $("download").disabled = false;
  drawChart();
}

function drawChart() {
  const body = page.result;
  const p = body && chart.plan(body.columns, body.rows, page.chartKind || (page.last && page.last.chart));
  $("chart-tab").disabled = !p;
  $("chart-kind").hidden = !p;
  if (!p) {
    $("chart").replaceChildren(Object.assign(document.createElement("p"), {
      className: "hint", textContent: "A chart needs a label column and at least one numeric column."}));
    if (!$("view-chart").hidden) selectView("table");
    return;
  }
  for (const r of document.querySelectorAll("input[name=chart-kind]")) r.checked = r.value === p.kind;
  chart.draw($("chart"), body.columns, body.rows, p, page.last && page.last.title);
  const more = body.rows.length > chart.MAX_POINTS;
  $("chart-note").textContent = more ? `The chart shows the first ${chart.MAX_POINTS} of ${body.rows.length} rows.` : "";
}

export function selectView(view) {
  for (const v of ["table", "chart"]) {
    const on = v === view;
    $("view-" + v).hidden = !on;
    $(v + "-tab").setAttribute("aria-selected", on ? "true" : "false");
    $(v + "-tab").tabIndex = on ? 0 : -1;
  }
}

function showError(e) {
  const box = $("error");
  const code = e.code || "error";
  const pos = grid.position(e.message);
  const head = document.createElement("strong");
  head.textContent = code === "unauthorized" ? "Not signed in" : `Error (${code})`;
  // DuckDB's message ends with the line in error and a caret under the
  // spot ("LINE 1: ...\n        ^"): that part never wraps (it scrolls),
  // so the caret stays under its character on a narrow window.
  const cut = e.message.search(/\n\s*\nLINE \d+:/);
  const msg = document.createElement("pre");
  msg.className = "message";
  msg.textContent = cut < 0 ? e.message : e.message.slice(0, cut);
  box.replaceChildren(head, msg);
  if (cut >= 0) {
    const snippet = document.createElement("pre");
    snippet.className = "snippet";
    snippet.textContent = e.message.slice(cut).replace(/^\s*\n/, "");
    box.append(snippet);
    box.hidden = false;
    scrollToCaret(snippet);
  }
  if (pos) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "where";
    b.textContent = `Line ${pos.line}` + (pos.column ? `, column ${pos.column}` : "") + " — show in editor";
    b.onclick = () => { page.editor.select(pos.line, pos.column || 1); page.editor.focus(); };
    box.append(b);
    page.editor.select(pos.line, pos.column || 1);
  }
  if (e.queryID) {
    const id = document.createElement("small");
    id.textContent = "query id " + e.queryID;
    box.append(id);
  }
  box.hidden = false;
  $("status").textContent = "Query failed";
}

// scrollToCaret scrolls a snippet sideways so that its caret is in view.
function scrollToCaret(pre) {
  const node = pre.firstChild, at = node.textContent.lastIndexOf("^");
  if (at < 0) return;
  const r = document.createRange();
  r.setStart(node, at);
  r.setEnd(node, at + 1);
  const x = r.getBoundingClientRect().left - pre.getBoundingClientRect().left + pre.scrollLeft;
  pre.scrollLeft = Math.max(0, x - pre.clientWidth / 2);
}

function hideError() { $("error").hidden = true; $("error").replaceChildren(); }

// download fetches the shown result again in the chosen format (with the
// token, so not a plain link) and saves it as a file.
async function download() {
  const format = $("dl-format").value;
  const what = page.last || {sql: page.editor.getValue()};
  $("status").textContent = `Preparing ${format.toUpperCase()}…`;
  try {
    const res = what.saved
      ? await api.request(`/v1/saved/${encodeURIComponent(what.saved)}/run`, {json: {params: what.params, engine: engine()}, query: {format}, accept: "*/*"})
      : await api.request("/v1/query", {json: {sql: what.sql, format, engine: engine()}, accept: "*/*"});
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${what.saved || "lakegate-result"}.${format}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    $("status").textContent = `Downloaded ${a.download}`;
  } catch (e) {
    showError(e);
  }
}

// share puts the query in the URL (#sql=... or #saved=name&p.x=...), so the
// address bar is a link to it.
function share(what) {
  const h = new URLSearchParams();
  if (what.saved) {
    h.set("saved", what.saved);
    for (const [k, v] of Object.entries(what.params || {})) h.set("p." + k, String(v));
  } else h.set("sql", what.sql);
  window.history.replaceState(null, "", "#" + h.toString());
}

function fromURL() {
  const h = new URLSearchParams(location.hash.slice(1));
  const params = {};
  for (const [k, v] of h) if (k.startsWith("p.")) params[k.slice(2)] = v;
  return {sql: h.get("sql"), saved: h.get("saved"), params};
}

async function copyLink() {
  if (!page.last) share({sql: page.editor.getValue()});
  try {
    await navigator.clipboard.writeText(location.href);
    $("status").textContent = "Link copied";
  } catch (_) {
    $("status").textContent = "Copy the address bar to share this query";
  }
}

function wire() {
  $("run").onclick = runSQL;
  $("cancel").onclick = cancel;
  $("download").onclick = download;
  $("share").onclick = copyLink;
  $("table-tab").onclick = () => selectView("table");
  $("chart-tab").onclick = () => selectView("chart");
  $("view-tabs").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const next = $("table-tab").getAttribute("aria-selected") === "true" && !$("chart-tab").disabled ? "chart" : "table";
    selectView(next);
    $(next + "-tab").focus();
  });
  for (const r of document.querySelectorAll("input[name=chart-kind]")) {
    r.onchange = () => { page.chartKind = r.value; drawChart(); };
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && page.running && !e.defaultPrevented) cancel();
  });
}

function main() {
  const shared = fromURL();
  page.editor = makeEditor(shared.sql || DEFAULT_SQL);
  wire();
  selectView("table");
  drawChart();
  panels.init({
    editor: page.editor, runSaved, runSQL,
    onSchema: (schema) => page.editor.setSchema(schema),
    shared,
  });
}

main();
