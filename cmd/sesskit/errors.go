package main

import "errors"

// usageError is bad usage: exit status 2, with the command's usage line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

var (
	// errHelp: -h was asked for and the flags were printed; exit 0.
	errHelp = errors.New("help")
	// errReported: the failure was already written out (doctor's FAIL
	// lines); exit 1 without another message.
	errReported = errors.New("failed")
)
