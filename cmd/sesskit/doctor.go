package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// A finding is one line of the doctor's report.
type finding struct {
	Node   string `json:"node,omitempty"` // the primary it concerns; "" for the deployment
	Status string `json:"status"`         // pass, warn or fail
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

const (
	pass = "pass"
	warn = "warn"
	fail = "fail"
)

// doctorReport is what -json prints.
type doctorReport struct {
	Topology string    `json:"topology"`
	Findings []finding `json:"findings"`
	Passed   int       `json:"passed"`
	Warnings int       `json:"warnings"`
	Failed   int       `json:"failed"`
}

func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlagSet("doctor", "", stderr)
	asJSON := f.Bool("json", false, "print one JSON object")
	aclUser := f.String("acl-user", "", "check the ACL rights of this user (the application's) rather than the one connected")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	cn, err := f.conn.connect(ctx)
	if err != nil {
		return err
	}
	defer cn.Close()
	r := doctor(ctx, cn, *aclUser)
	if *asJSON {
		if err := writeJSON(stdout, r); err != nil {
			return err
		}
	} else {
		printDoctor(stdout, r)
	}
	if r.Failed > 0 {
		return errReported
	}
	return nil
}

// doctor runs every check on every primary (at once on a Cluster) and,
// once, those about the deployment as a whole.
func doctor(ctx context.Context, cn *conn, aclUser string) *doctorReport {
	var (
		mu     sync.Mutex
		byNode = map[string][]finding{}
	)
	err := cn.forEachPrimary(ctx, func(ctx context.Context, name string, c *redis.Client) error {
		found := checkPrimary(ctx, cn, c, aclUser)
		for i := range found {
			found[i].Node = name
		}
		mu.Lock()
		byNode[name] = found
		mu.Unlock()
		return nil
	})
	r := &doctorReport{Topology: cn.topology}
	if err != nil {
		r.Findings = append(r.Findings, finding{Status: fail, Check: "primaries", Detail: err.Error()})
	}
	switch cn.topology {
	case "cluster":
		r.Findings = append(r.Findings, checkCluster(ctx, cn)...)
	case "sentinel":
		r.Findings = append(r.Findings, checkSentinels(ctx, cn))
		r.Findings = append(r.Findings, checkReplicas(ctx, cn)...)
	}
	nodes := make([]string, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	for _, n := range nodes {
		r.Findings = append(r.Findings, byNode[n]...)
	}
	if cn.topology != "cluster" { // one primary: no need to name it
		for i := range r.Findings {
			r.Findings[i].Node = ""
		}
	}
	for _, f := range r.Findings {
		switch f.Status {
		case pass:
			r.Passed++
		case warn:
			r.Warnings++
		default:
			r.Failed++
		}
	}
	return r
}

// checkPrimary runs the checks that concern one primary.
func checkPrimary(ctx context.Context, cn *conn, c *redis.Client, aclUser string) []finding {
	bctx, cancel := cn.bound(ctx)
	defer cancel()
	info, err := c.InfoMap(bctx, "server", "memory", "persistence").Result()
	if err != nil {
		return []finding{{Status: fail, Check: "info", Detail: fmt.Sprintf("INFO refused or failed: %v; the other checks need it", err)}}
	}
	get := func(section, field string) string { return info[section][field] }
	version := get("Server", "redis_version")
	out := []finding{checkVersion(version)}
	out = append(out, checkScripts(bctx, c))
	out = append(out, checkMemory(get("Memory", "maxmemory"), get("Memory", "maxmemory_policy"))...)
	out = append(out, checkPersistence(bctx, c, info["Persistence"]))
	out = append(out, checkACL(bctx, cn, c, version, aclUser))
	out = append(out, checkLatency(ctx, cn, c))
	return out
}

func printDoctor(w io.Writer, r *doctorReport) {
	for _, f := range r.Findings {
		node := ""
		if f.Node != "" {
			node = "[" + f.Node + "] "
		}
		fmt.Fprintf(w, "%-4s  %-12s %s%s\n", strings.ToUpper(f.Status), f.Check, node, f.Detail)
	}
	fmt.Fprintf(w, "\n%d passed, %d warnings, %d failed (%s)\n", r.Passed, r.Warnings, r.Failed, r.Topology)
}
