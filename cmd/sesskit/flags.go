package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is one subcommand's flags, the connection flags among them.
type flagSet struct {
	*flag.FlagSet
	conn *connFlags
	args string // the positional arguments, for the usage line
	help func()
}

func newFlagSet(name, args string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet("sesskit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by run
	f := &flagSet{FlagSet: fs, args: args}
	f.conn = addConnFlags(fs)
	fs.Usage = func() {} // bad flags get one line from run; -h gets help
	f.help = func() {
		fs.SetOutput(stderr)
		fmt.Fprintf(stderr, "usage: sesskit %s [flags] %s\n\nflags (before the arguments):\n", name, args)
		fs.PrintDefaults()
	}
	return f
}

// parse parses args and returns the positional arguments, of which there
// must be exactly n.
func (f *flagSet) parse(args []string, n int) ([]string, error) {
	// A session handle may start with '-' (base64url): one in last place
	// is an argument, not a flag. "--" before it works too.
	if last := len(args) - 1; n > 0 && last >= 0 && len(args[last]) == 43 && strings.HasPrefix(args[last], "-") && (last == 0 || args[last-1] != "--") {
		args = append(append(args[:last:last], "--"), args[last])
	}
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.help()
			return nil, errHelp
		}
		return nil, usageError{err}
	}
	rest := f.Args()
	switch {
	case len(rest) < n:
		return nil, usageError{fmt.Errorf("missing %s", f.args)}
	case len(rest) > n:
		return nil, usageError{fmt.Errorf("unexpected argument %q (flags go before the arguments)", rest[n])}
	}
	return rest, f.conn.check(f.FlagSet)
}
