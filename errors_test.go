package lakegate_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lakegate/lakegate"
)

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("open /srv/lake/x: permission denied")
	tests := []struct {
		name     string
		err      error
		code     string
		message  string
		hideText string // must not appear in the client message
	}{
		{"nil", nil, "", "", ""},
		{"app error", lakegate.Errorf(lakegate.ENOTFOUND, "table %q not found", "a.b"), lakegate.ENOTFOUND, `table "a.b" not found`, ""},
		{"wrapped app error", fmt.Errorf("query: %w", lakegate.Errorf(lakegate.EFORBIDDEN, "no")), lakegate.EFORBIDDEN, "no", ""},
		{"cause hidden", lakegate.Wrap(lakegate.EUNAVAILABLE, cause, "the lake is unavailable"), lakegate.EUNAVAILABLE, "the lake is unavailable", "/srv/lake"},
		{"deadline", fmt.Errorf("run: %w", context.DeadlineExceeded), lakegate.ETIMEOUT, "the operation timed out", ""},
		{"canceled", context.Canceled, lakegate.ECANCELED, "the operation was canceled", ""},
		{"plain error is internal", cause, lakegate.EINTERNAL, "internal error", "/srv/lake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lakegate.ErrorCode(tt.err); got != tt.code {
				t.Errorf("code = %q, want %q", got, tt.code)
			}
			msg := lakegate.ErrorMessage(tt.err)
			if msg != tt.message {
				t.Errorf("message = %q, want %q", msg, tt.message)
			}
		})
	}
	if !errors.Is(lakegate.Wrap(lakegate.EINTERNAL, cause, "x"), cause) {
		t.Error("Wrap must keep the cause for errors.Is")
	}
}
