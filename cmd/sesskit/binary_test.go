package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinary builds the command as users get it (go build) and runs it:
// the exit statuses and the output reach the shell.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sesskit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	code := func(err error) int {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	out, err := exec.Command(bin, "version").Output()
	if code(err) != 0 || string(out) != "sesskit "+Version+"\n" {
		t.Errorf("version: %q, %v", out, err)
	}
	if err := exec.Command(bin, "stats", "-bogus").Run(); code(err) != 2 {
		t.Errorf("stats -bogus: %v, want exit 2", err)
	}

	url := privateRedis(t)
	cmd := exec.Command(bin, "stats", "-json")
	cmd.Env = append(os.Environ(), "REDIS_URL="+url, "REDIS_ADDRS=", "REDIS_MASTER_NAME=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	var r map[string]any
	if code(err) != 0 || json.Unmarshal(out, &r) != nil || r["sessions"] != 0.0 {
		t.Errorf("stats -json through REDIS_URL: %v\n%s%s", err, out, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("stats wrote to a stderr that is not a terminal: %q", stderr.String())
	}
	if err := exec.Command(bin, "inspect", "-redis", url, strings.Repeat("C", 43)).Run(); code(err) != 1 {
		t.Errorf("inspect of an unknown handle: %v, want exit 1", err)
	}
}
