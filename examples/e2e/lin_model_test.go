package e2e_test

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// The sequential model the linearizability check holds the apps to: what a
// session promises, one operation at a time. A history is linearizable when
// every operation can be placed at one instant between its call and its
// return so that, in that order, each gives what this model gives.
//
// The state is every token a lineage has had: the session it was created
// under and each one a renew moved it to. A token is
//
//   - alive: the session's values and user, changed by each operation;
//   - renewed: a marker; reads see an empty session and writes answer 409
//     ("changed by another request"), so a renew can neither lose a write
//     nor be undone by one;
//   - gone: destroyed (or never renewed-into); it behaves as no session at
//     all, so a write there starts a new, unrelated session and nothing of
//     the old one ever comes back.

// linKind is one of the operations the clients run, each one route.
type linKind uint8

const (
	opCreate  linKind = iota // PUT /api/values/a on no session: the lineage's first token
	opGet                    // GET /api/values/{key}
	opSet                    // PUT /api/values/{key}, a value no other operation writes
	opDel                    // DELETE /api/values/{key}
	opIncr                   // POST /api/visits: the counter
	opAppend                 // POST /api/flash: a message no other operation appends
	opPop                    // GET /api/flash: every message, removed
	opRead                   // GET /api/session: the whole session at once
	opRenew                  // POST /api/login: a new token, the same data, a user
	opDestroy                // POST /api/logout
)

var linKindNames = [...]string{"create", "get", "set", "del", "incr", "append", "pop", "read", "renew", "destroy"}

func (k linKind) String() string { return linKindNames[k] }

// writes reports whether the operation changes the session (and so answers
// 409 on a renewed token).
func (k linKind) writes() bool { return k != opGet && k != opRead }

// linInput is one operation as called.
type linInput struct {
	lineage int // the partition: a session and the tokens renews moved it to
	kind    linKind
	token   string
	key     string // get, set, del: "a" or "b"
	value   int64  // set: the value; append: the message number
	user    string // renew: the user to log in
}

// linOutput is what the operation returned.
type linOutput struct {
	// unknown: the request timed out, lost its connection or answered 503.
	// It may or may not have taken effect, now or later; its return is
	// placed after every other operation, so the checker may order it
	// anywhere after its call (Jepsen's indeterminate operations).
	unknown bool
	status  int
	value   int64  // get (200) and incr: the number
	flash   string // pop: the messages, in order, as a list (see sess.flash)
	snap    sess   // read: the session as the route showed it
	// token is the session cookie the answer set, when it is not the one
	// sent: a create's or renew's new session, or a new session a write
	// started because it found none.
	token string
}

// sess is one token's session in the model. It is comparable, so that
// states compare with ==.
type sess struct {
	state  tokenState
	user   string
	a, b   optInt
	visits int64
	flash  string // message numbers, each followed by ","
	extra  string // read: any other value's key, which the model never holds
}

type tokenState uint8

const (
	alive tokenState = iota
	renewed
	gone
)

type optInt struct {
	set bool
	v   int64
}

func (o optInt) String() string {
	if !o.set {
		return "-"
	}
	return strconv.FormatInt(o.v, 10)
}

// linState is the model's state: every token of the lineage. Step never
// changes a state it is given; it returns a changed copy.
type linState map[string]sess

// noSession is what reads see on a renewed or gone token: no values, no
// user.
var noSession = sess{}

// step applies in to state, returning whether out is what the model gives
// and the next state. An unknown outcome is taken as having happened: if it
// did not, the checker places it after everything else, where it changes
// nothing that was seen.
func step(state linState, in linInput, out linOutput) (bool, linState) {
	if in.kind == opCreate {
		if out.unknown {
			return true, state // the lineage never started
		}
		if out.status != 204 || out.token == "" {
			return false, state
		}
		if _, seen := state[out.token]; seen {
			return false, state
		}
		next := maps.Clone(state)
		next[out.token] = sess{a: optInt{true, in.value}}
		return true, next
	}
	s, ok := state[in.token]
	if !ok {
		return false, state // a token the lineage never had
	}
	want, after, born := expect(s, in)
	if !out.unknown && !same(want, out, in.kind) {
		return false, state
	}
	if !out.unknown && s.state == alive && in.kind != opRenew && out.token != "" {
		return false, state // a live session replaced by a new one
	}
	next := maps.Clone(state)
	next[in.token] = after
	if born != nil && !out.unknown { // an unknown renew's token is nobody's
		if _, seen := state[out.token]; seen {
			return false, state
		}
		next[out.token] = *born
	}
	return true, next
}

// expect is what in does to the session of its token: the answer, the
// token's session after it, and the session a renew creates under a new
// token.
func expect(s sess, in linInput) (want linOutput, after sess, born *sess) {
	switch s.state {
	case renewed:
		switch {
		case in.kind == opDestroy:
			return linOutput{status: 204}, sess{state: gone}, nil
		case in.kind.writes():
			return linOutput{status: 409}, s, nil
		}
		want, _ = apply(noSession, in)
		return want, s, nil
	case gone:
		// A new visitor: reads see nothing; a write starts a session under
		// a new token that nobody uses again, and a renew (a login) one
		// that is used.
		want, _ = apply(noSession, in)
		if in.kind == opRenew {
			return want, s, &sess{user: in.user}
		}
		return want, s, nil
	}
	want, after = apply(s, in)
	if in.kind == opRenew {
		moved := s
		moved.user = in.user
		return want, sess{state: renewed}, &moved
	}
	return want, after, nil
}

// apply is an operation on a live session: what it answers and the session
// after it. A renew's answer is here; its new token is step's business.
func apply(s sess, in linInput) (linOutput, sess) {
	switch in.kind {
	case opGet:
		if v := s.get(in.key); v.set {
			return linOutput{status: 200, value: v.v}, s
		}
		return linOutput{status: 404}, s
	case opSet:
		s.put(in.key, optInt{true, in.value})
		return linOutput{status: 204}, s
	case opDel:
		s.put(in.key, optInt{})
		return linOutput{status: 204}, s
	case opIncr:
		s.visits++
		return linOutput{status: 200, value: s.visits}, s
	case opAppend:
		s.flash += strconv.FormatInt(in.value, 10) + ","
		return linOutput{status: 204}, s
	case opPop:
		out := linOutput{status: 200, flash: s.flash}
		s.flash = ""
		return out, s
	case opRead:
		return linOutput{status: 200, snap: s}, s
	case opRenew:
		return linOutput{status: 200}, s
	case opDestroy:
		return linOutput{status: 204}, sess{state: gone}
	}
	panic("unknown operation " + in.kind.String())
}

func (s sess) get(key string) optInt {
	if key == "a" {
		return s.a
	}
	return s.b
}

func (s *sess) put(key string, v optInt) {
	if key == "a" {
		s.a = v
	} else {
		s.b = v
	}
}

// same compares an answer with the model's; what each kind of operation
// returns decides what is compared.
func same(want, got linOutput, kind linKind) bool {
	if want.status != got.status {
		return false
	}
	switch {
	case want.status != 200:
		return true
	case kind == opGet, kind == opIncr:
		return want.value == got.value
	case kind == opPop:
		return want.flash == got.flash
	case kind == opRead:
		w, g := want.snap, got.snap
		return w.user == g.user && w.a == g.a && w.b == g.b && w.visits == g.visits && w.flash == g.flash && g.extra == ""
	case kind == opRenew:
		return got.token != ""
	}
	return true
}

// linModel is the model for porcupine, partitioned by lineage: sessions
// share nothing, so each is checked on its own.
var linModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byLineage := map[int][]porcupine.Operation{}
		for _, op := range history {
			l := op.Input.(linInput).lineage
			byLineage[l] = append(byLineage[l], op)
		}
		keys := slices.Sorted(maps.Keys(byLineage))
		parts := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, byLineage[k])
		}
		return parts
	},
	Init: func() any { return linState{} },
	Step: func(state, input, output any) (bool, any) {
		return step(state.(linState), input.(linInput), output.(linOutput))
	},
	Equal: func(a, b any) bool { return maps.Equal(a.(linState), b.(linState)) },
	DescribeOperation: func(input, output any) string {
		return describeOp(input.(linInput), output.(linOutput))
	},
	DescribeState:             func(state any) string { return describeState(state.(linState)) },
	DescribeOperationMetadata: func(app any) string { return "served by " + app.(string) },
}

// short names a token by its first characters: enough to tell a lineage's
// tokens apart in the visualisation.
func short(token string) string {
	if len(token) > 6 {
		return token[:6]
	}
	return token
}

func describeOp(in linInput, out linOutput) string {
	var call string
	switch in.kind {
	case opCreate:
		call = fmt.Sprintf("create(a=%d)", in.value)
	case opGet, opDel:
		call = fmt.Sprintf("%s(%s)", in.kind, in.key)
	case opSet:
		call = fmt.Sprintf("set(%s=%d)", in.key, in.value)
	case opAppend:
		call = fmt.Sprintf("append(%d)", in.value)
	case opRenew:
		call = fmt.Sprintf("renew(%s)", in.user)
	default:
		call = in.kind.String() + "()"
	}
	call = short(in.token) + " " + call
	if out.unknown {
		return call + " -> ?"
	}
	res := strconv.Itoa(out.status)
	if out.status == 200 || in.kind == opCreate {
		switch in.kind {
		case opGet, opIncr:
			res += " " + strconv.FormatInt(out.value, 10)
		case opPop:
			res += " [" + strings.TrimSuffix(out.flash, ",") + "]"
		case opRead:
			res += " " + describeSess(out.snap)
		case opCreate, opRenew:
			res += " " + short(out.token)
		}
	}
	if out.token != "" && in.kind != opCreate && in.kind != opRenew {
		res += " new session " + short(out.token)
	}
	return call + " -> " + res
}

func describeSess(s sess) string {
	d := fmt.Sprintf("{user=%q a=%s b=%s visits=%d flash=[%s]", s.user, s.a, s.b, s.visits, strings.TrimSuffix(s.flash, ","))
	if s.extra != "" {
		d += " other=" + s.extra
	}
	return d + "}"
}

func describeState(st linState) string {
	var b strings.Builder
	for _, tok := range slices.Sorted(maps.Keys(st)) {
		s := st[tok]
		b.WriteString(short(tok))
		switch s.state {
		case alive:
			b.WriteString(" " + describeSess(s))
		case renewed:
			b.WriteString(" renewed")
		case gone:
			b.WriteString(" gone")
		}
		b.WriteString("; ")
	}
	return strings.TrimSuffix(b.String(), "; ")
}
