package demo

import (
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/sesskit/sesskit/core/session"
)

// The multi-step sign-up form: three steps kept in the session under one
// key, each posted on its own, then submitted as one value.
const (
	keyWizard = "wizard"
	keySignup = "signup"
)

// Signup is the sign-up form's data: what each step fills in.
type Signup struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Plan  string `json:"plan,omitempty"`
}

// step is the first step not done yet, or 3 when all are.
func (w Signup) step() int {
	switch {
	case w.Name == "":
		return 1
	case w.Email == "":
		return 2
	}
	return 3
}

func (w Signup) complete() bool { return w.Name != "" && w.Email != "" && w.Plan != "" }

// wizardProgress is the reply of the wizard routes.
type wizardProgress struct {
	Step int    `json:"step"`
	Data Signup `json:"data"`
}

// Wizard answers the form's progress: 200 {"step":1..3,"data":{...}}.
func Wizard(s *session.Session) (int, any) {
	w, err := lookup[Signup](s, keyWizard)
	return reply(err, http.StatusOK, wizardProgress{w.step(), w})
}

// WizardStep takes the fields of one step ("1", "2", "3") or "submit":
// 200 the progress (submit: {"signup":{...}}); 409 when an earlier step is
// missing; 400 on bad fields; 404 for another step.
func WizardStep(s *session.Session, step string, body []byte) (int, any) {
	switch step {
	case "submit":
		return WizardSubmit(s)
	case "1", "2", "3":
	default:
		return fail(http.StatusNotFound, "no such step")
	}
	var in Signup
	if err := parseObject(body, &in, `the step's fields`); err != nil {
		return reply(err, 0, nil)
	}
	w, err := wizardStep(s, step, in)
	return reply(err, http.StatusOK, wizardProgress{w.step(), w})
}

// wizardStep records one step's fields atomically (compare-and-set), so a
// step posted from another tab is not lost.
func wizardStep(s *session.Session, step string, in Signup) (Signup, error) {
	fill, err := stepFiller(step, in)
	if err != nil {
		return Signup{}, err
	}
	w, err := session.Update(s, keyWizard, fill)
	if errors.Is(err, session.ErrDecode) { // a value of another shape: start over
		if w, err = fill(Signup{}); err == nil {
			err = s.Set(keyWizard, w)
		}
	}
	return w, err
}

// stepFiller returns what posting step does to the form, after checking
// the step's fields.
func stepFiller(step string, in Signup) (func(Signup) (Signup, error), error) {
	var need int
	var set func(*Signup)
	switch step {
	case "1":
		if !validText(in.Name, maxUser) {
			return nil, badRequest("name must be 1-64 characters")
		}
		need, set = 1, func(w *Signup) { w.Name = in.Name }
	case "2":
		if !validEmail(in.Email) {
			return nil, badRequest("email must be an address like ann@example.com")
		}
		need, set = 2, func(w *Signup) { w.Email = in.Email }
	case "3":
		if in.Plan != "free" && in.Plan != "pro" {
			return nil, badRequest(`plan must be "free" or "pro"`)
		}
		need, set = 3, func(w *Signup) { w.Plan = in.Plan }
	default:
		return nil, &problem{http.StatusNotFound, "no such step"}
	}
	return func(w Signup) (Signup, error) {
		if w.step() < need {
			return w, &problem{http.StatusConflict, "an earlier step is missing"}
		}
		set(&w)
		return w, nil
	}, nil
}

// WizardSubmit completes the form: stores {"name","email","plan"} under
// signup and clears the progress, in one commit. 200 {"signup":{...}}; 409
// when incomplete.
func WizardSubmit(s *session.Session) (int, any) {
	w, err := wizardSubmit(s)
	return reply(err, http.StatusOK, map[string]Signup{"signup": w})
}

func wizardSubmit(s *session.Session) (Signup, error) {
	w, err := lookup[Signup](s, keyWizard)
	if err != nil {
		return w, err
	}
	if !w.complete() {
		return w, &problem{http.StatusConflict, "the form is incomplete"}
	}
	if err := s.Set(keySignup, w); err != nil {
		return w, err
	}
	return w, s.Delete(keyWizard)
}

// validEmail is a plausibility check, not RFC 5322: one @ with text on
// both sides, no spaces, at most 254 characters.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(s) > 254 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
