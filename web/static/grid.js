// The results grid: a table with typed, sortable column headers, and the
// reading of an engine error's position.
import {isNumeric} from "./chart.js";

// render fills table with columns and rows; clicking a header (a button,
// so keyboard users reach it) sorts by that column, again to reverse.
export function render(table, columns, rows) {
  let order = rows.map((_, i) => i);
  let sorted = {col: -1, dir: 0};
  const head = document.createElement("tr");
  columns.forEach((c, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.setAttribute("aria-sort", "none");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "sort";
    const type = document.createElement("small");
    type.className = "type";
    type.textContent = c.type;
    b.append(c.name, " ", type);
    b.title = `Sort by ${c.name}`;
    b.onclick = () => {
      const dir = sorted.col === i ? -sorted.dir || 1 : 1;
      sorted = {col: i, dir};
      order = sortOrder(rows, i, dir, isNumeric(c.type));
      for (const h of head.children) h.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      body();
    };
    th.append(b);
    head.append(th);
  });
  table.tHead.replaceChildren(head);
  const body = () => {
    const frag = document.createDocumentFragment();
    for (const i of order) {
      const tr = document.createElement("tr");
      for (const v of rows[i]) {
        const td = document.createElement("td");
        if (v === null) { td.textContent = "NULL"; td.className = "null"; }
        else if (typeof v === "object") td.textContent = JSON.stringify(v);
        else { td.textContent = String(v); if (typeof v === "number") td.className = "num"; }
        tr.append(td);
      }
      frag.append(tr);
    }
    table.tBodies[0].replaceChildren(frag);
  };
  body();
}

function sortOrder(rows, col, dir, numeric) {
  const key = (v) => (v === null ? null : numeric ? Number(v) : typeof v === "object" ? JSON.stringify(v) : String(v));
  const cmp = (a, b) => {
    const x = key(rows[a][col]), y = key(rows[b][col]);
    if (x === y) return a - b;
    if (x === null) return 1; // NULLs last both ways
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  };
  return rows.map((_, i) => i).sort(cmp);
}

export function clear(table) {
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
}

// position reads "LINE n: ..." and the caret line under it from an engine
// message (DuckDB's shape) and returns {line, column} (1-based) or null.
export function position(message) {
  const lines = String(message || "").split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = /^LINE (\d+): /.exec(lines[i]);
    if (!m) continue;
    const caret = lines[i + 1].indexOf("^");
    if (caret < m[0].length) return {line: Number(m[1]), column: 0};
    // DuckDB trims long lines to a window starting with "...": the column
    // is then unknown, so report the line only.
    const shown = lines[i].slice(m[0].length);
    return {line: Number(m[1]), column: shown.startsWith("...") ? 0 : caret - m[0].length + 1};
  }
  return null;
}
