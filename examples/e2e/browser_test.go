package e2e_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns the browser binary: SESSKIT_CHROMIUM, or chromium on
// PATH. Without one the test skips, or fails with SESSKIT_REQUIRE_REDIS=1.
func chromium(t *testing.T) string {
	if p := os.Getenv("SESSKIT_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		if requireRedis() {
			t.Fatal("no chromium (set SESSKIT_CHROMIUM or put chromium on PATH) and SESSKIT_REQUIRE_REDIS=1")
		}
		t.Skip("no chromium: set SESSKIT_CHROMIUM or put chromium on PATH")
	}
	return p
}

// TestBrowserSharesSessionAcrossFrameworks uses the HTML page in a headless
// Chromium, without any JavaScript of ours: it logs in and fills the cart on
// the Chi app, then finds the same session on the Fiber app (another process
// on another port, same Redis, other codec) in the same browser, since
// cookies are not port-scoped; it changes the cart there, logs out on Chi,
// and sees the logout on Fiber.
func TestBrowserSharesSessionAcrossFrameworks(t *testing.T) {
	t.Parallel()
	b := singleRedis(t)
	browser := chromium(t)
	chi := start(t, "chi", b.env)
	fiber := start(t, "fiber", b.env, "-codec", "msgpack")

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR="+t.TempDir()), // where Chromium leaves its singleton socket
	)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	p := &page{t: t, ctx: ctx}

	p.open(chi.url+"/", "chi")
	p.visible("#anonymous")
	p.do("type the user", chromedp.SendKeys(chromedp.CSS("#login-user"), "alice"))
	p.submit("log in on chi", "#login")
	p.wantText("#user", "alice")
	p.wantText("#flash li", "Logged in as alice.")
	if cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.cookie")); err != nil || cookies != "" {
		t.Fatalf("document.cookie = %q, %v; want the session cookie hidden from scripts (HttpOnly)", cookies, err)
	}

	p.do("fill the cart form", chromedp.SetValue(chromedp.CSS("#cart-sku"), "A1"), chromedp.SetValue(chromedp.CSS("#cart-qty"), "2"))
	p.submit("add to the cart on chi", "#add")
	p.wantText("#items", "2")
	p.wantText("#cart .sku", "A1")

	// Another process, another framework, another port: the same session.
	p.open(fiber.url+"/", "fiber")
	p.wantText("#user", "alice")
	p.wantText("#items", "2")
	p.wantText("#cart .sku", "A1")

	p.do("fill the cart form", chromedp.SetValue(chromedp.CSS("#cart-sku"), "B2"), chromedp.SetValue(chromedp.CSS("#cart-qty"), "1"))
	p.submit("add to the cart on fiber", "#add")
	p.wantText("#items", "3")

	p.open(chi.url+"/", "chi")
	p.wantText("#user", "alice")
	p.wantText("#items", "3")
	p.submit("log out on chi", "#logout")
	p.visible("#anonymous")
	p.wantText("#flash li", "Logged out.")

	p.open(fiber.url+"/", "fiber")
	p.visible("#anonymous")
	p.visible("#cart-empty")
}

// page drives one browser tab; every method fails the test on error.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// open loads url and checks the page names the framework that served it.
func (p *page) open(url, framework string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url))
	p.wantText("#framework", framework)
}

// submit clicks a form's button and waits for the page it leads to (the
// form's 303 redirect back to /).
func (p *page) submit(what, button string) {
	p.t.Helper()
	resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		p.fatalf("%s: %v", what, err)
	}
	if resp.Status != 200 || !strings.HasSuffix(resp.URL, "/") {
		p.fatalf("%s: landed on %s with status %d, want / with 200", what, resp.URL, resp.Status)
	}
}

func (p *page) visible(sel string) {
	p.t.Helper()
	p.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (p *page) wantText(sel, want string) {
	p.t.Helper()
	got, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.fatalf("text of %s: %v", sel, err)
	}
	if strings.TrimSpace(got) != want {
		p.fatalf("text of %s = %q, want %q", sel, got, want)
	}
}

// fatalf fails the test, showing the page as the browser has it.
func (p *page) fatalf(format string, args ...any) {
	p.t.Helper()
	html, _ := chromedp.Run(p.ctx, chromedp.OuterHTML(chromedp.CSS("body")))
	p.t.Fatalf(format+"\npage:\n%s", append(args, html)...)
}
