package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRevokesAnotherDevice: two browser contexts of one headless
// Chromium (separate cookie jars: two devices) log in as the same user from
// the page, one on the Chi app and one on the Fiber app (one Redis). The
// first sees both devices and revokes the other with its button; the
// other's next page load shows it logged out. Then the same with the "log
// out other devices" button.
func TestBrowserRevokesAnotherDevice(t *testing.T) {
	t.Parallel()
	b := singleRedis(t)
	browser := chromium(t)
	chi := start(t, "chi", b.env)
	fiber := start(t, "fiber", b.env)
	user := uniqueUser("browser")

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
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	device := func() *page {
		c, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		return &page{t: t, ctx: c}
	}
	a, other := device(), device()

	logIn := func(p *page, url, fw string) {
		p.open(url+"/", fw)
		p.visible("#anonymous")
		p.do("type the user", chromedp.SendKeys(chromedp.CSS("#login-user"), user))
		p.submit("log in on "+fw, "#login")
		p.wantText("#user", user)
	}
	logIn(a, chi.url, "chi")
	logIn(other, fiber.url, "fiber")

	a.open(chi.url+"/", "chi")
	a.wantCount("#devices tr.device", 2)
	a.wantCount("#devices tr.device.current", 1)
	a.submit("revoke the other device", "#devices tr.device:not(.current) button.revoke")
	a.wantText("#flash li", "Device logged out.")
	a.wantCount("#devices tr.device", 1)

	other.open(fiber.url+"/", "fiber")
	other.visible("#anonymous")

	// Again, with "log out other devices".
	logIn(other, fiber.url, "fiber")
	a.open(chi.url+"/", "chi")
	a.wantCount("#devices tr.device", 2)
	a.submit("log out other devices", "#revoke-others")
	a.wantText("#flash li", "Logged out 1 other device(s).")
	a.wantText("#user", user)
	other.open(fiber.url+"/", "fiber")
	other.visible("#anonymous")
}

// wantCount checks how many elements match sel.
func (p *page) wantCount(sel string, want int) {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		p.fatalf("count %s: %v", sel, err)
	}
	if n != want {
		p.fatalf("%d elements match %s, want %d", n, sel, want)
	}
}

// jsString quotes s for a JavaScript expression (selectors here hold no
// quotes or backslashes).
func jsString(s string) string { return "'" + s + "'" }
