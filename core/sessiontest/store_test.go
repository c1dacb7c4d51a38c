package sessiontest_test

import (
	"encoding/base64"
	"testing"

	"github.com/sesskit/sesskit/core/sessiontest"
)

func TestRandomID(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		id := sessiontest.RandomID()
		b, err := base64.RawURLEncoding.Strict().DecodeString(id)
		if err != nil || len(id) != 43 || len(b) != 32 {
			t.Fatalf("RandomID() = %q (%v), want 43 base64url characters for 32 bytes", id, err)
		}
		if seen[id] {
			t.Fatalf("RandomID() repeated %q", id)
		}
		seen[id] = true
	}
}
