package sessiontest_test

import (
	"fmt"
	"testing"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// A store's tests run the suite with a constructor for a fresh store.
func ExampleTestStore() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T) in a _test.go file
		sessiontest.TestStore(t, func(t *testing.T) session.Store {
			return memstore.New()
		})
	}
}

func ExampleRandomID() {
	id := sessiontest.RandomID()
	fmt.Println(len(id))
	// Output: 43
}
