package demo

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"net/http"
	"slices"

	"github.com/sesskit/sesskit/core/session"
)

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// pageData is what page.html shows.
type pageData struct {
	Framework, Store, Codec string
	User                    string
	Visits                  int
	Cart                    []Line
	Items                   int
	Flash                   []string
	Values                  []pageValue
	Wizard                  Signup
	WizardStep              int
	WizardDone              bool
	Restored                bool
	Devices                 []Device
}

type pageValue struct{ Key, JSON string }

// Page renders the HTML page (GET /): user, visits, cart, the flash messages
// (shown once) and the other values, with the forms of Forms. It answers
// 200 and the page, or 503 and a short error page.
func (a *App) Page(s *session.Session) (int, []byte) {
	d := pageData{Framework: a.Framework, Store: a.storeName(), Codec: a.Config.Codec}
	var err error
	if d.User, err = s.User(); err != nil {
		return errorPage(err)
	}
	if d.User != "" {
		if d.Restored, err = s.Restored(); err != nil {
			return errorPage(err)
		}
		// The store bounds its own calls; Page has no request context.
		if d.Devices, err = listDevices(context.Background(), s); err != nil {
			return errorPage(err)
		}
	}
	d.Visits, _ = lookup[int](s, keyVisits) // the store answered User
	d.Cart, _ = lookup[[]Line](s, keyCart)
	for _, l := range d.Cart {
		d.Items += l.Qty
	}
	d.Wizard, _ = lookup[Signup](s, keyWizard)
	d.WizardStep, d.WizardDone = d.Wizard.step(), d.Wizard.complete()
	if d.Flash, err = popFlash(s); err != nil {
		return errorPage(err)
	}
	keys, err := s.Keys()
	if err != nil {
		return errorPage(err)
	}
	for _, k := range keys {
		if slices.Contains([]string{keyVisits, keyCart, keyFlash, keyWizard}, k) {
			continue
		}
		if v, err := valueJSON(s, k); err == nil {
			d.Values = append(d.Values, pageValue{k, string(v)})
		}
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return errorPage(err)
	}
	return http.StatusOK, b.Bytes()
}

func errorPage(err error) (int, []byte) {
	status, _ := Failure(err)
	return status, []byte("<!doctype html><meta charset=utf-8><title>sesskit demo</title><p>The session store is unavailable. Try again shortly.</p>\n")
}
