package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// A command is one subcommand: it parses its own flags (the connection
// flags among them) and reports bad usage as a usageError.
type command struct {
	usage   string // the arguments, after the name
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"stats":   {"[flags]", "count sessions, estimate memory, TTL and size histograms, codec mix", runStats},
	"inspect": {"[flags] HANDLE", "show one session's or remember-me token's metadata and values", runInspect},
	"user":    {"ls|revoke [flags] USER", "list a user's sessions, or revoke them all", runUser},
	"revoke":  {"[flags] HANDLE", "end one session or remember-me token", runRevoke},
	"doctor":  {"[flags]", "check Redis: memory policy, persistence, ACL, Cluster, latency, version", runDoctor},
	"version": {"", "print the version", runVersion},
}

// run is the whole command, minus os.Exit: the exit status is 0 when done,
// 1 on failure and 2 on bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sesskit: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := cmd.run(ctx, args[1:], stdout, stderr)
	var uerr usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.As(err, &uerr):
		fmt.Fprintf(stderr, "sesskit %s: %v\n", args[0], err)
		fmt.Fprintf(stderr, "usage: sesskit %s %s (sesskit %s -h for the flags)\n", args[0], cmd.usage, args[0])
		return 2
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(stderr, "sesskit %s: %v\n", args[0], err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sesskit COMMAND [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nConnection: -redis URL or REDIS_URL (one node); REDIS_ADDRS (several: Cluster)")
	fmt.Fprintln(w, "and REDIS_MASTER_NAME (Sentinel); REDIS_USERNAME, REDIS_PASSWORD. sesskit COMMAND -h lists the flags.")
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", args[0])}
	}
	fmt.Fprintln(stdout, "sesskit", Version)
	return nil
}
