package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sesskit/sesskit/core/session"
)

// runRevoke ends one session or remember-me token. One with a user goes
// through Manager.Revoke, which also drops it from the user's index; one
// without (or missing from the index) is deleted directly.
func runRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlagSet("revoke", "HANDLE", stderr)
	rest, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	handle := rest[0]
	cn, err := f.conn.connectFor(ctx, handle)
	if err != nil {
		return err
	}
	defer cn.Close()
	described, err := cn.store.Describe(ctx, []string{handle})
	if err != nil {
		return err
	}
	d := described[0]
	if !d.Found {
		return fmt.Errorf("no session or remember-me token under handle %s (ended, revoked or never there)", handle)
	}
	m, err := cn.manager()
	if err != nil {
		return err
	}
	err = errNotIndexed
	if d.User != "" {
		err = m.Revoke(ctx, d.User, handle)
	}
	if errors.Is(err, session.ErrNotFound) {
		err = cn.store.Revoke(ctx, []string{handle})
	}
	if err != nil {
		return err
	}
	if d.User != "" {
		fmt.Fprintf(stdout, "revoked %s of user %q\n", handle, d.User)
	} else {
		fmt.Fprintf(stdout, "revoked %s\n", handle)
	}
	return nil
}

// errNotIndexed: a session without a user is in no index.
var errNotIndexed = fmt.Errorf("not indexed: %w", session.ErrNotFound)
