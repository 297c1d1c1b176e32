// The side panels of the query page: the catalog browser, the saved
// queries (parameter form, run, save new) and the user's history; and the
// sign-in dialog any 401 opens.
import * as api from "./api.js";

const $ = (id) => document.getElementById(id);
let ctx = null; // {editor, runSaved, runSQL, onSchema, shared}
let saved = []; // the saved queries as GET /v1/saved lists them

function h(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

const plural = (n, what) => `${(n ?? 0).toLocaleString()} ${what}${n === 1 ? "" : "s"}`;
const bytes = (n) => (n >= 1e9 ? (n / 1e9).toFixed(1) + " GB" : n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : n >= 1e3 ? (n / 1e3).toFixed(1) + " kB" : n + " B");

export function init(c) {
  ctx = c;
  api.onUnauthorized(askToken);
  $("signout").onclick = () => { api.token.clear(); $("signout").hidden = true; location.reload(); };
  $("signout").hidden = !api.token.get();
  sideTabs();
  $("history-refresh").onclick = () => refreshHistory();
  $("saved-select").onchange = () => pickSaved($("saved-select").value);
  $("saved-form").onsubmit = (e) => { e.preventDefault(); runPicked(); };
  $("saved-open").onclick = openPicked;
  $("saved-delete").onclick = deletePicked;
  $("save-form").onsubmit = (e) => { e.preventDefault(); saveCurrent(); };
  loadCatalog();
  loadSaved();
  refreshHistory();
}

// sideTabs makes the Catalog / Saved / History buttons a tab list (arrow
// keys move between tabs, Tab goes into the panel).
function sideTabs() {
  const tabs = [...document.querySelectorAll("#side-tabs [role=tab]")];
  const select = (t) => {
    for (const o of tabs) {
      const on = o === t;
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.tabIndex = on ? 0 : -1;
      $(o.getAttribute("aria-controls")).hidden = !on;
    }
    if (t.id === "tab-history") refreshHistory();
  };
  tabs.forEach((t, i) => {
    t.onclick = () => select(t);
    t.onkeydown = (e) => {
      const d = e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
      if (!d) return;
      e.preventDefault();
      const n = tabs[(i + d + tabs.length) % tabs.length];
      select(n);
      n.focus();
    };
  });
  select(tabs[0]);
  ctx.selectSide = (id) => select($(id));
}

// askToken shows the sign-in dialog; it resolves once a token is entered.
let pending = null;
function askToken(reason) {
  if (pending) return pending.promise;
  const dlg = $("signin");
  $("signin-reason").textContent = reason;
  $("token").value = "";
  pending = {};
  pending.promise = new Promise((resolve, reject) => { pending.resolve = resolve; pending.reject = reject; });
  const done = pending;
  $("signin-form").onsubmit = (e) => {
    e.preventDefault();
    const t = $("token").value.trim();
    if (!t) { $("signin-reason").textContent = "Enter your token."; return; }
    api.token.set(t, $("remember").checked);
    $("signout").hidden = false;
    pending = null;
    dlg.close();
    done.resolve();
  };
  dlg.onclose = () => {
    if (pending === done) {
      pending = null;
      done.reject(new api.APIError(401, "unauthorized", "Sign in with a token to use this gateway."));
    }
  };
  if (!dlg.open) dlg.showModal();
  $("token").focus();
  return done.promise;
}

// loadCatalog lists databases, their tables, columns, partition keys and
// stats; it also hands the names to the editor's completion.
async function loadCatalog() {
  const tree = $("catalog-tree");
  try {
    const {databases} = await api.json("/v1/catalog/databases");
    const schema = {};
    const dbs = await Promise.all(databases.map(async (d) => {
      const {tables} = await api.json(`/v1/catalog/databases/${encodeURIComponent(d.name)}/tables`);
      for (const t of tables) {
        schema[`${d.name}.${t.name}`] = [...t.columns, ...(t.partition_keys || [])].map((c) =>
          ({label: c.name, type: "property", detail: c.type.toLowerCase()}));
      }
      return h("li", {}, h("details", {open: true},
        h("summary", {}, d.name, " ", h("small", {}, `${tables.length} table${tables.length === 1 ? "" : "s"}`)),
        h("ul", {className: "tables"}, ...tables.map(tableItem))));
    }));
    tree.replaceChildren(...(dbs.length ? dbs : [h("li", {className: "hint"}, "No tables yet: ingest some data.")]));
    ctx.onSchema(schema);
  } catch (e) {
    tree.replaceChildren(h("li", {className: "hint", role: "alert"}, "Catalog unavailable: " + e.message));
  }
}

function insertButton(text, label, className) {
  return h("button", {type: "button", className: "ins " + (className || ""), title: "Insert " + text,
    onclick: () => ctx.editor.insert(text)}, label || text);
}

function tableItem(t) {
  const full = `${t.database}.${t.name}`;
  const s = t.stats || {};
  const cols = (list, key) => h("ul", {className: "cols"}, ...list.map((c) =>
    h("li", {}, insertButton(c.name), " ", h("small", {className: "type"}, c.type), key ? h("small", {className: "key"}, " partition key") : null)));
  const parts = h("details", {className: "parts"}, h("summary", {}, `Partitions (${s.partitions ?? "?"})`), h("ul", {}));
  parts.addEventListener("toggle", () => { if (parts.open) loadPartitions(t, parts.lastChild); }, {once: true});
  return h("li", {className: "table"}, h("details", {},
    h("summary", {}, t.name, " ", h("small", {}, s.rows !== undefined ? `${s.rows.toLocaleString()} rows` : "")),
    insertButton(full, "Insert " + full, "table-name"),
    h("p", {className: "stats"}, `${plural(s.rows, "row")} · ${plural(s.files, "file")} · ${plural(s.partitions, "partition")} · ${bytes(s.bytes ?? 0)} · version ${t.version ?? "?"}`),
    cols(t.columns || []),
    (t.partition_keys || []).length ? cols(t.partition_keys, true) : null,
    parts));
}

async function loadPartitions(t, list) {
  try {
    const p = await api.json(`/v1/catalog/tables/${encodeURIComponent(t.database)}/${encodeURIComponent(t.name)}/partitions`, {query: {limit: 50}});
    list.replaceChildren(...p.partitions.map((x) => h("li", {}, x.name, " ", h("small", {}, `${x.rows} rows · ${bytes(x.bytes)}`))));
    if (p.next_offset !== null) list.append(h("li", {className: "hint"}, `… ${p.total - p.partitions.length} more`));
  } catch (e) {
    list.replaceChildren(h("li", {className: "hint"}, e.message));
  }
}

// loadSaved fills the saved-query picker; a shared #saved= link picks one.
async function loadSaved(pick) {
  try {
    saved = (await api.json("/v1/saved")).queries || [];
  } catch (e) {
    $("saved-desc").textContent = e.status === 404 ? "This gateway has no saved queries." : "Saved queries unavailable: " + e.message;
    return;
  }
  $("saved-select").replaceChildren(h("option", {value: ""}, "Choose a saved query…"),
    ...saved.map((q) => h("option", {value: q.name}, q.title || q.name)));
  const want = pick || (ctx.shared.saved && !ctx.sharedUsed ? ctx.shared.saved : "");
  if (want) {
    $("saved-select").value = want;
    pickSaved(want, ctx.sharedUsed ? {} : ctx.shared.params);
    if (!ctx.sharedUsed && ctx.shared.saved) ctx.selectSide("tab-saved");
    ctx.sharedUsed = true;
  }
}

function inputFor(p, value) {
  const id = "param-" + p.name;
  const type = (p.type || "string").toLowerCase();
  const input = h("input", {id, name: p.name});
  input.dataset.type = type;
  if (["number", "float", "double", "integer", "int"].includes(type)) {
    input.type = "number";
    input.step = type === "integer" || type === "int" ? "1" : "any";
  } else if (type === "date") input.type = "date";
  else if (type === "boolean" || type === "bool") input.type = "checkbox";
  const v = value ?? p.default;
  if (input.type === "checkbox") input.checked = v === true || v === "true";
  else if (v !== undefined && v !== null) input.value = String(v);
  if ((v === undefined || v === null) && input.type !== "checkbox") input.required = true; // no default: the query needs a value
  const help = p.help ? h("small", {id: id + "-help"}, p.help) : null;
  if (help) input.setAttribute("aria-describedby", help.id);
  return h("div", {className: "field"}, h("label", {htmlFor: id}, p.name), input, help);
}

function pickSaved(name, values) {
  const q = saved.find((x) => x.name === name);
  $("saved-form").hidden = !q;
  if (!q) { $("saved-desc").textContent = ""; return; }
  $("saved-desc").textContent = q.description || "";
  $("saved-delete").hidden = q.builtin;
  $("saved-params").replaceChildren(...(q.params || []).map((p) => inputFor(p, values && values[p.name])));
}

function paramValues(q) {
  const out = {};
  for (const p of q.params || []) {
    const input = $("param-" + p.name);
    if (input.type === "checkbox") out[p.name] = input.checked;
    else if (input.type === "number") { if (input.value !== "") out[p.name] = Number(input.value); }
    else if (input.value !== "") out[p.name] = input.value;
  }
  return out;
}

function runPicked() {
  const q = saved.find((x) => x.name === $("saved-select").value);
  if (q) ctx.runSaved(q, paramValues(q));
}

function openPicked() {
  const q = saved.find((x) => x.name === $("saved-select").value);
  if (!q) return;
  ctx.editor.setValue(q.sql);
  ctx.editor.focus();
}

async function deletePicked() {
  const name = $("saved-select").value;
  if (!name || !confirm(`Delete the saved query ${name}?`)) return;
  try {
    await api.request(`/v1/saved/${encodeURIComponent(name)}`, {method: "DELETE"});
    $("saved-desc").textContent = `Deleted ${name}.`;
    $("saved-form").hidden = true;
    await loadSaved();
  } catch (e) {
    $("saved-desc").textContent = "Not deleted: " + e.message;
  }
}

// saveCurrent saves the editor's SQL as a new saved query; its $names
// become string parameters without defaults.
async function saveCurrent() {
  const sql = ctx.editor.getValue();
  const names = [...new Set([...sql.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];
  const body = {
    name: $("save-name").value.trim(), title: $("save-title").value.trim(),
    description: $("save-description").value.trim(), sql,
    params: names.map((n) => ({name: n, type: "string"})),
  };
  const out = $("save-status");
  try {
    await api.request("/v1/saved", {json: body});
    out.textContent = `Saved as ${body.name}.`;
    $("save-form").reset();
    await loadSaved(body.name);
  } catch (e) {
    out.textContent = "Not saved: " + e.message;
  }
}

// refreshHistory lists the caller's latest queries; a click loads one.
export async function refreshHistory() {
  if (!ctx || $("panel-history").hidden) return;
  const list = $("history-list");
  try {
    const {queries} = await api.json("/v1/history", {query: {limit: 50}});
    list.replaceChildren(...queries.map((q) => h("li", {className: q.code ? "failed" : ""},
      h("button", {type: "button", title: q.sql, onclick: () => { ctx.editor.setValue(q.sql); ctx.editor.focus(); }},
        h("code", {}, q.sql.length > 120 ? q.sql.slice(0, 119) + "…" : q.sql)),
      h("small", {}, `${new Date(q.started_at).toLocaleTimeString()} · ${q.code ? q.code : q.rows + " rows"} · ${Math.round(q.elapsed_ms)} ms · ${q.format}`))));
    if (!queries.length) list.append(h("li", {className: "hint"}, "No queries yet."));
  } catch (e) {
    list.replaceChildren(h("li", {className: "hint"}, "History unavailable: " + e.message));
  }
}
