package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds on the processes: starting, stopping, and running to exit.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
)

// app is one running example process.
type app struct {
	fw    string
	url   string // http://127.0.0.1:PORT
	first string // its first log line
	cmd   *exec.Cmd
	logs  *logWriter

	exited  chan struct{}
	exitErr error
	once    sync.Once
}

// start runs the example of framework fw on a free 127.0.0.1 port (-addr
// 127.0.0.1:0; the port is read from the first log line) and waits until it
// listens. env adds to a clean environment. The app is stopped with SIGTERM
// at the end of the test, which must make it exit 0.
func start(t *testing.T, fw string, env []string, args ...string) *app {
	t.Helper()
	return launch(t, fw, env, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
}

// launch is start without the -addr flag.
func launch(t *testing.T, fw string, env []string, args ...string) *app {
	t.Helper()
	a := &app{fw: fw, logs: newLogWriter(), exited: make(chan struct{})}
	a.cmd = exec.Command(bin(fw), args...)
	// Logins are throttled per user and address, counted in Redis across
	// every app of the run: only the throttle's own tests set a low limit.
	a.cmd.Env = append(append(cleanEnv(), "LOGIN_LIMIT=100000/1m"), env...)
	a.cmd.Stderr = a.logs
	a.cmd.WaitDelay = stopTimeout
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", fw, err)
	}
	go func() {
		a.exitErr = a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() { a.stop(t, syscall.SIGTERM) })

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case a.first = <-a.logs.first:
	case <-a.exited:
		t.Fatalf("%s exited before listening: %v\n%s", fw, a.exitErr, a.logs)
	case <-timer.C:
		t.Fatalf("%s did not log within %v:\n%s", fw, startTimeout, a.logs)
	}
	m := regexp.MustCompile(` addr=(127\.0\.0\.1:\d+)`).FindStringSubmatch(a.first)
	if m == nil {
		t.Fatalf("%s: first log line names no 127.0.0.1 address: %q", fw, a.first)
	}
	a.url = "http://" + m[1]
	return a
}

// stop sends sig and waits for the process to exit 0; it kills the process
// if it does not exit in time. Only the first call does anything.
func (a *app) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	a.once.Do(func() {
		select {
		case <-a.exited:
			t.Errorf("%s exited by itself: %v\n%s", a.fw, a.exitErr, a.logs)
			return
		default:
		}
		_ = a.cmd.Process.Signal(sig)
		timer := time.NewTimer(stopTimeout)
		defer timer.Stop()
		select {
		case <-a.exited:
		case <-timer.C:
			_ = a.cmd.Process.Kill()
			<-a.exited
			t.Errorf("%s did not exit within %v of %v:\n%s", a.fw, stopTimeout, sig, a.logs)
			return
		}
		if a.exitErr != nil {
			t.Errorf("%s exit after %v: %v (want 0)\n%s", a.fw, sig, a.exitErr, a.logs)
		}
	})
}

// runToExit runs an example that is expected to exit by itself (bad
// configuration) and returns its exit code and stderr.
func runToExit(t *testing.T, fw string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin(fw), args...)
	cmd.Env = append(cleanEnv(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit) && ctx.Err() == nil:
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("%s %v: %v\n%s", fw, args, err, stderr.String())
	return 0, ""
}

// demoVars are the variables the apps read; the tests set them explicitly.
var demoVars = []string{"ADDR", "REDIS_URL", "REDIS_ADDRS", "REDIS_MASTER_NAME", "SESSION_CODEC", "COOKIE_SECURE", "REDIS_WAIT",
	"SESSION_REMEMBER", "SESSION_LIMIT", "LOGIN_LIMIT", "TRUST_PROXY", "SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT"}

// cleanEnv is the test's environment without the apps' variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, v := range demoVars {
			keep = keep && name != v
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}

// logWriter collects a process's stderr and hands out its first line.
type logWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	sent  bool
	first chan string
}

func newLogWriter() *logWriter { return &logWriter{first: make(chan string, 1)} }

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok {
			w.first <- line
			w.sent = true
		}
	}
	return len(p), nil
}

// String returns everything logged so far.
func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
