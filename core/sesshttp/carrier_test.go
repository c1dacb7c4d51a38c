package sesshttp_test

import (
	"net/http"
	"testing"

	"github.com/sesskit/sesskit/core/sesshttp"
)

func TestHTTPCarrierCookie(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
	}{
		{"none", nil, ""},
		{"only", []string{"session=abc"}, "abc"},
		{"among others", []string{"a=1; session=abc; b=2"}, "abc"},
		{"no spaces", []string{"a=1;session=abc"}, "abc"},
		{"first wins", []string{"session=one; session=two"}, "one"},
		{"second header line", []string{"a=1", "session=abc"}, "abc"},
		{"prefix is not the name", []string{"sessionx=1; xsession=2"}, ""},
		{"empty value", []string{"session="}, ""},
		{"no value", []string{"session"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			r.Header["Cookie"] = tt.headers
			if got := (sesshttp.Carrier{Request: r}).Cookie("session"); got != tt.want {
				t.Errorf("Cookie = %q, want %q", got, tt.want)
			}
		})
	}
}
