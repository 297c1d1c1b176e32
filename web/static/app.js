// The query page: posts SQL to /v1/query and renders the fixed JSON shape.
"use strict";
const $ = (id) => document.getElementById(id);

async function run() {
  const sql = $("sql").value;
  $("error").hidden = true;
  $("meta").textContent = "running...";
  history.replaceState(null, "", "#sql=" + encodeURIComponent(sql));
  $("csv").href = "/v1/query.csv?sql=" + encodeURIComponent(sql);
  try {
    const res = await fetch("/v1/query", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sql}),
    });
    const body = await res.json();
    if (!body.ok) throw new Error(body.error.code + ": " + body.error.message);
    render(body);
  } catch (e) {
    $("meta").textContent = "";
    $("error").textContent = e.message;
    $("error").hidden = false;
  }
}

function render(body) {
  const head = document.createElement("tr");
  for (const c of body.columns) {
    const th = document.createElement("th");
    th.append(c.name, " ");
    const t = document.createElement("small");
    t.textContent = c.type;
    th.append(t);
    head.append(th);
  }
  $("result").tHead.replaceChildren(head);
  const rows = body.rows.map((r) => {
    const tr = document.createElement("tr");
    for (const v of r) {
      const td = document.createElement("td");
      if (v === null) { td.textContent = "NULL"; td.className = "null"; }
      else td.textContent = typeof v === "object" ? JSON.stringify(v) : String(v);
      tr.append(td);
    }
    return tr;
  });
  $("result").tBodies[0].replaceChildren(...rows);
  $("meta").textContent = `${body.row_count} rows${body.truncated ? " (truncated)" : ""} · ${body.elapsed_ms} ms · ${body.engine}`;
}

async function tables() {
  const res = await fetch("/v1/tables");
  const body = await res.json();
  if (!body.ok) return;
  $("table-list").replaceChildren(...body.tables.map((t) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    const name = t.database + "." + t.name;
    b.textContent = name;
    b.title = t.columns.map((c) => c.name + " " + c.type).join("\n");
    b.onclick = () => { $("sql").setRangeText(name, $("sql").selectionStart, $("sql").selectionEnd, "end"); $("sql").focus(); };
    li.append(b);
    return li;
  }));
}

$("run").onclick = run;
$("sql").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
});
const shared = new URLSearchParams(location.hash.slice(1)).get("sql");
if (shared) $("sql").value = shared;
tables();
