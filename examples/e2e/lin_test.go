package e2e_test

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// The linearizability check (Jepsen's method, with Porcupine as the
// checker): concurrent clients run random operations on shared sessions
// through two or three example apps of different frameworks while faults
// are injected; the history of calls and returns must be explainable by the
// sequential model in lin_model_test.go. docs/guarantees.md states what it
// proves and the figures of the last soak.

var (
	linSoak   = flag.Duration("lin.soak", 0, "run each linearizability scenario this long (default: a short run)")
	linFaults = flag.String("lin.faults", "", "inject only these faults (comma-separated names, e.g. app-kill,client-pause)")
)

// linRun is how long the clients work in each scenario; faults continue
// past it until each kind has been injected once.
func linRun() time.Duration {
	if *linSoak > 0 {
		return *linSoak
	}
	return 20 * time.Second
}

// linScenario is one topology, the apps in front of it and its faults.
type linScenario struct {
	topology string
	apps     []string // frameworks, one app each
	// wait: the apps wait for a replica on every write (REDIS_WAIT=1), the
	// setting under which acknowledged writes survive a failover.
	wait bool
}

// TestLinearizable runs the check on each topology with each of its
// faults: on one node, CLIENT PAUSE, a stalled and a cut link between one
// app and Redis, and an app killed and restarted; on Sentinel and on a
// 3-primary Cluster, the primary killed, CLIENT PAUSE and an app killed.
func TestLinearizable(t *testing.T) {
	need(t, "SESSKIT_REDIS_URL")
	for _, sc := range []linScenario{
		{topology: "single", apps: []string{"chi", "gin", "fiber"}},
		{topology: "sentinel", apps: []string{"echo", "chi"}, wait: true},
		{topology: "cluster", apps: []string{"gin", "fiber"}, wait: true},
	} {
		t.Run(sc.topology, func(t *testing.T) {
			t.Parallel()
			runScenario(t, sc)
		})
	}
}

func runScenario(t *testing.T, sc linScenario) {
	top := startLinTopology(t, sc.topology)
	var env []string
	switch sc.topology {
	case "single":
		// set per app below: each talks to Redis through its own proxy
	case "sentinel":
		env = []string{"REDIS_ADDRS=" + top.get(t, "SESSKIT_REDIS_SENTINEL_ADDRS"), "REDIS_MASTER_NAME=" + top.get(t, "SESSKIT_REDIS_SENTINEL_MASTER")}
	case "cluster":
		env = []string{"REDIS_ADDRS=" + top.get(t, "SESSKIT_REDIS_CLUSTER_ADDRS")}
	}
	if sc.wait {
		env = append(env, "REDIS_WAIT=1")
	}
	fleet := &linFleet{apps: &linApps{}}
	for _, fw := range sc.apps {
		m := &linMember{fw: fw, env: env}
		if sc.topology == "single" {
			m.proxy = startProxy(t, top.get(t, "SESSKIT_REDIS_SINGLE_ADDR"))
			m.env = []string{"REDIS_URL=redis://" + m.proxy.addr() + "/0"}
		}
		m.app = start(t, fw, m.env)
		fleet.members = append(fleet.members, m)
	}
	fleet.publish()

	faults := []linFault{pauseFault(top), fleet.restartFault()}
	if sc.topology == "single" {
		faults = append(faults, fleet.stallFault(), fleet.cutFault())
	} else {
		faults = append(faults, primaryKillFault(top))
	}
	if *linFaults != "" {
		faults = slices.DeleteFunc(faults, func(f linFault) bool { return !slices.Contains(strings.Split(*linFaults, ","), f.name) })
	}
	w := newWorkload(fleet.apps)
	ctx, cancel := context.WithTimeout(t.Context(), linRun())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx)
	}()
	log := &faultLog{rec: w.rec, injected: map[string]int{}}
	injectFaults(t, ctx, faults, log)
	cancel() // the clients stop once every fault has run
	<-done
	checkHistory(t, sc.topology, w.rec.history(), log)
}

// linFleet is the scenario's apps; a restart replaces one.
type linFleet struct {
	apps    *linApps
	members []*linMember
}

type linMember struct {
	fw    string
	env   []string
	proxy *linProxy // on one node: the app's link to Redis
	app   *app
}

// publish gives the clients the apps' current URLs.
func (f *linFleet) publish() {
	var targets []linTarget
	for _, m := range f.members {
		_, port, _ := strings.Cut(strings.TrimPrefix(m.app.url, "http://"), ":")
		targets = append(targets, linTarget{name: m.fw + ":" + port, url: m.app.url})
	}
	f.apps.set(targets)
}

// restartFault kills -9 a random app; it is started again (on a new port)
// when the fault ends. Requests in flight to it have unknown outcomes.
func (f *linFleet) restartFault() linFault {
	return linFault{name: "app-kill", start: func(t *testing.T, rng *rand.Rand) func() {
		m := f.members[rng.IntN(len(f.members))]
		m.app.kill()
		return func() {
			m.app = start(t, m.fw, m.env)
			f.publish()
		}
	}}
}

// stallFault stops the bytes between one app and Redis until it ends.
func (f *linFleet) stallFault() linFault {
	return linFault{name: "link-stall", start: func(t *testing.T, rng *rand.Rand) func() {
		p := f.members[rng.IntN(len(f.members))].proxy
		p.stall()
		return p.flow
	}}
}

// cutFault closes every connection between one app and Redis.
func (f *linFleet) cutFault() linFault {
	return linFault{name: "link-cut", start: func(t *testing.T, rng *rand.Rand) func() {
		f.members[rng.IntN(len(f.members))].proxy.cut()
		return nil
	}}
}

// kill ends the process with SIGKILL, for a fault; the cleanup's stop then
// does nothing.
func (a *app) kill() {
	a.once.Do(func() {
		_ = a.cmd.Process.Kill()
		<-a.exited
	})
}

// checkHistory checks the history with Porcupine and fails the test, naming
// a visualisation of the history, when it is not linearizable. It also
// fails a history too thin to prove anything.
func checkHistory(t *testing.T, name string, ops []porcupine.Operation, faults *faultLog) {
	t.Helper()
	st := summarize(ops)
	t.Logf("%s: %s; faults: %s", name, st, faults)
	for _, k := range []linKind{opGet, opSet, opDel, opIncr, opAppend, opPop, opRead, opRenew, opDestroy} {
		if st.known[k] == 0 {
			t.Errorf("%s: no %s operation with a known outcome: the history proves too little", name, k)
		}
	}
	if st.renewed == 0 || st.destroyed == 0 {
		t.Errorf("%s: %d renews and %d destroys succeeded, want some of each", name, st.renewed, st.destroyed)
	}
	began := time.Now()
	result, info := porcupine.CheckOperationsVerbose(linModel, ops, 2*time.Minute)
	t.Logf("%s: checked in %.1fs: %s", name, time.Since(began).Seconds(), result)
	if result == porcupine.Ok {
		return
	}
	dir := os.Getenv("SESSKIT_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("sesskit-linearizability-%s-%s.html", strings.ReplaceAll(name, "/", "-"), time.Now().Format("20060102-150405")))
	if faults != nil {
		info.AddAnnotations(faults.annotations)
	}
	if err := porcupine.VisualizePath(linModel, info, path); err != nil {
		t.Errorf("%s: writing the visualisation: %v", name, err)
	}
	t.Errorf("%s: history not linearizable (%s); open %s in a browser to see the operations no order explains%s",
		name, result, path, explainIllegal(ops, faults))
}

// explainIllegal checks each session on its own and lists the operations
// of the shortest one that fails, for the test log.
func explainIllegal(ops []porcupine.Operation, faults *faultLog) string {
	var worst []porcupine.Operation
	for _, part := range linModel.Partition(ops) {
		if (worst == nil || len(part) < len(worst)) && !porcupine.CheckOperations(linModel, part) {
			worst = part
		}
	}
	if worst == nil {
		return ""
	}
	slices.SortFunc(worst, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
	var b strings.Builder
	fmt.Fprintf(&b, "\nsession %d (first token %s), its operations by call time (ms; ? = unknown outcome):", worst[0].Input.(linInput).lineage, worst[0].Output.(linOutput).token)
	for _, op := range worst {
		ret := fmt.Sprintf("%.1f", float64(op.Return)/1e6)
		if op.Output.(linOutput).unknown {
			ret = "?"
		}
		fmt.Fprintf(&b, "\n  client %2d  %9.1f-%-9s %-12s %s", op.ClientId, float64(op.Call)/1e6, ret, op.Metadata, describeOp(op.Input.(linInput), op.Output.(linOutput)))
	}
	if faults != nil {
		b.WriteString("\nfaults (ms):")
		for _, a := range faults.annotations {
			fmt.Fprintf(&b, " %s %.1f-%.1f;", a.Description, float64(a.Start)/1e6, float64(a.End)/1e6)
		}
	}
	return b.String()
}

// linStats counts a history's operations, for the log and the thin-history
// check.
type linStats struct {
	ops, unknown, lineages, renewed, destroyed int
	known                                      map[linKind]int
}

func summarize(ops []porcupine.Operation) linStats {
	st := linStats{known: map[linKind]int{}}
	lineages := map[int]bool{}
	for _, op := range ops {
		in, out := op.Input.(linInput), op.Output.(linOutput)
		st.ops++
		lineages[in.lineage] = true
		if out.unknown {
			st.unknown++
			continue
		}
		st.known[in.kind]++
		switch {
		case in.kind == opRenew && out.status == 200:
			st.renewed++
		case in.kind == opDestroy && out.status == 204:
			st.destroyed++
		}
	}
	st.lineages = len(lineages)
	return st
}

func (st linStats) String() string {
	return fmt.Sprintf("%d operations (%d with unknown outcome) on %d sessions, %d renews, %d destroys",
		st.ops, st.unknown, st.lineages, st.renewed, st.destroyed)
}

// faultLog records the faults a run injected: counts for the log, and
// their times to show in a visualisation.
type faultLog struct {
	rec         *linRecorder
	injected    map[string]int
	annotations []porcupine.Annotation
}

func (l *faultLog) began(name string) int64 {
	l.injected[name]++
	return l.rec.now()
}

func (l *faultLog) ended(name string, start int64) {
	l.annotations = append(l.annotations, porcupine.Annotation{
		Tag: "faults", Start: start, End: l.rec.now(), Description: name, BackgroundColor: "#f6c6c6",
	})
}

func (l *faultLog) String() string {
	if l == nil || len(l.injected) == 0 {
		return "none"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(l.injected)) {
		parts = append(parts, fmt.Sprintf("%s x%d", name, l.injected[name]))
	}
	return strings.Join(parts, ", ")
}
