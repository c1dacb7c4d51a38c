package e2e_test

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// frameworks are the example apps, by directory under examples/.
var frameworks = []string{"chi", "gin", "echo", "echov5", "fiber", "fiberv3"}

// binDir holds the binaries TestMain builds, one per framework.
var binDir string

// buildFlags are added to go build; race_test.go adds -race when the tests
// run with it, so the apps are checked for races too.
var buildFlags []string

func TestMain(m *testing.M) {
	flag.Parse()
	// The tests mostly wait for child processes and sockets, so run more of
	// them at once than the default GOMAXPROCS, unless -parallel was given.
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", strconv.Itoa(max(8, 2*runtime.GOMAXPROCS(0))))
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sesskit-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir

	// One go build for all of them: the packages share most of their
	// dependencies and the build cache.
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, buildFlags...)
	for _, fw := range frameworks {
		args = append(args, "github.com/sesskit/sesskit/examples/"+fw)
	}
	cmd := exec.Command("go", args...) // go test puts its own go first on PATH
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go %s: %v\n", strings.Join(args, " "), err)
		return 1
	}
	return m.Run()
}

// bin is the path of a framework's binary.
func bin(fw string) string { return filepath.Join(binDir, fw) }

// requireRedis reports whether missing Redis (or Chromium) must fail the
// tests instead of skipping them.
func requireRedis() bool { return os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" }

// need returns the environment variable name, or skips (fails with
// SESSKIT_REQUIRE_REDIS=1) when it is unset.
func need(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if requireRedis() {
			t.Fatalf("%s is unset and SESSKIT_REQUIRE_REDIS=1", name)
		}
		t.Skipf("%s is unset", name)
	}
	return v
}
