// The query page's SQL editor: CodeMirror 6 with SQL highlighting and
// completion of the catalog's table and column names. esbuild bundles this
// file into web/static/editor.js (see web/build.sh); the page's app.js uses
// it through window.LakegateEditor and falls back to a plain textarea when
// the bundle is missing.
import {EditorState, Compartment} from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, placeholder,
} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput} from "@codemirror/language";
import {autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap} from "@codemirror/autocomplete";
import {sql, PostgreSQL} from "@codemirror/lang-sql";

const theme = EditorView.theme({
  "&": {fontSize: "14px", border: "1px solid var(--line, #ccd)", borderRadius: "4px", background: "var(--bg, #fff)"},
  "&.cm-focused": {outline: "2px solid var(--focus, #2563eb)", outlineOffset: "1px"},
  ".cm-scroller": {fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", minHeight: "8em", maxHeight: "40vh"},
  ".cm-content": {padding: "6px 0"},
  // The default keyword icon is an emoji that many systems lack.
  ".cm-completionIcon-keyword:after": {content: "'k'"},
});

// columnsOfQuery completes bare column names (no "table." before them)
// from the tables the query names; lang-sql's own schema completion covers
// databases, tables and qualified columns.
function columnsOfQuery(schemaRef) {
  return (context) => {
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    if (context.state.sliceDoc(from - 1, from) === ".") return null;
    const doc = context.state.doc.toString();
    const seen = new Set();
    const options = [];
    for (const [table, cols] of Object.entries(schemaRef.current)) {
      if (!doc.includes(table)) continue;
      for (const c of cols) {
        const label = typeof c === "string" ? c : c.label;
        if (seen.has(label)) continue;
        seen.add(label);
        options.push(typeof c === "string" ? {label, type: "property"} : {...c, boost: 1});
      }
    }
    return options.length ? {from, options, validFor: /^[A-Za-z0-9_]*$/} : null;
  };
}

// create puts an editor in parent. opts: doc, label (accessible name),
// onRun (Ctrl/Cmd+Enter), onCancel (Escape while running is the page's).
export function create(parent, opts) {
  const lang = new Compartment();
  const schemaRef = {current: {}};
  const language = (schema) => sql({dialect: PostgreSQL, schema, upperCaseKeywords: true});
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc || "",
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), closeBrackets(), autocompletion({activateOnTyping: true}),
        syntaxHighlighting(defaultHighlightStyle, {fallback: true}),
        placeholder("SELECT ... (Ctrl/Cmd+Enter runs)"),
        keymap.of([
          {key: "Mod-Enter", run: () => { opts.onRun && opts.onRun(); return true; }, preventDefault: true},
          ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap,
          // Tab indents only with a modifier-free press inside the editor;
          // Escape then Tab leaves it, so keyboard users are not trapped.
          indentWithTab,
        ]),
        lang.of(language({})),
        PostgreSQL.language.data.of({autocomplete: columnsOfQuery(schemaRef)}),
        EditorView.contentAttributes.of({"aria-label": opts.label || "SQL", "aria-multiline": "true", id: opts.id || "sql-input"}),
        EditorView.lineWrapping,
        theme,
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}, selection: {anchor: text.length}});
    },
    // insert replaces the selection with text and leaves the cursor after it.
    insert(text) {
      view.dispatch(view.state.replaceSelection(text));
      view.focus();
    },
    // setSchema feeds completion: {"db.table": ["col" or {label, detail}, ...]}
    // plus the default database, whose tables complete without the prefix.
    setSchema(schema, defaultSchema) {
      schemaRef.current = schema;
      view.dispatch({effects: lang.reconfigure(sql({dialect: PostgreSQL, schema, defaultSchema, upperCaseKeywords: true}))});
    },
    // select marks line/column (1-based) of an error and scrolls to it.
    select(line, column) {
      const doc = view.state.doc;
      if (line < 1 || line > doc.lines) return;
      const l = doc.line(line);
      const from = Math.min(l.from + Math.max(column - 1, 0), l.to);
      view.dispatch({selection: {anchor: from, head: Math.min(from + 1, l.to) > from ? from + 1 : from}, scrollIntoView: true});
    },
    focus: () => view.focus(),
  };
}
