package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// runUser is "user ls USER" and "user revoke USER", through the Manager's
// per-user index (Devices, RevokeAll): what the application itself does.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("missing ls or revoke")}
	}
	switch args[0] {
	case "ls":
		return userList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return userRevoke(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("unknown user command %q (want ls or revoke)", args[0])}
}

func userList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlagSet("user ls", "USER", stderr)
	asJSON := f.Bool("json", false, "print a JSON array")
	rest, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	cn, err := f.conn.connect(ctx)
	if err != nil {
		return err
	}
	defer cn.Close()
	m, err := cn.manager()
	if err != nil {
		return err
	}
	devices, err := m.Devices(ctx, rest[0])
	if err != nil {
		return err
	}
	if *asJSON {
		if devices == nil {
			devices = []session.Device{}
		}
		return writeJSON(stdout, devices)
	}
	if len(devices) == 0 {
		fmt.Fprintf(stdout, "no sessions or remember-me tokens for user %q\n", rest[0])
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HANDLE\tKIND\tCREATED\tLAST ACTIVE\tEXPIRES\tLABEL")
	for _, d := range devices {
		kind := "session"
		switch {
		case d.Remembered:
			kind = "remember-me"
		case d.Restored:
			kind = "session (restored)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Handle, kind, utc(d.Created), utc(d.LastActive), utc(d.Expires), d.Label)
	}
	return tw.Flush()
}

func userRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlagSet("user revoke", "USER", stderr)
	rest, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	cn, err := f.conn.connect(ctx)
	if err != nil {
		return err
	}
	defer cn.Close()
	m, err := cn.manager()
	if err != nil {
		return err
	}
	n, err := m.RevokeAll(ctx, rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %d sessions and remember-me tokens of user %q\n", n, rest[0])
	return nil
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }
