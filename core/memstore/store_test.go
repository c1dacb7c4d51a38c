package memstore_test

import (
	"testing"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

func TestConformance(t *testing.T) {
	sessiontest.TestStore(t, func(t *testing.T) session.Store { return memstore.New() })
}

func TestUserStoreConformance(t *testing.T) {
	sessiontest.TestUserStore(t, func(t *testing.T) session.Store { return memstore.New() })
}
