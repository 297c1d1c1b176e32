// Package web holds the browser query page, embedded in the binary so the
// gateway needs no CDN and no Node at build time.
//
// static/ is served as is: index.html, app.css and the page's ES modules
// (app.js runs queries and shows results, grid.js the table, chart.js the
// SVG charts, panels.js the catalog, saved-query and history panels and
// the sign-in dialog, api.js every HTTP call with the token). The one
// built file, static/editor.js (CodeMirror 6 with lang-sql), comes from
// ui-src/ through build.sh and is committed; app.js falls back to a plain
// textarea without it.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the query page and its assets.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FileServer(http.FS(sub))
}
