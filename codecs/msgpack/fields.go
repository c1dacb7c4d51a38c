package msgpack

import (
	"reflect"
	"strings"
)

// libField and libFields repeat getFields of vmihailenco/msgpack v5.4.1
// (types.go) with "json" as the fallback tag, as Unmarshal configures it:
// which names a struct's decoder accepts, and in which order it reads a
// struct written as an array. fit must land every field where the decoder
// does, or it would check a number against the wrong type.
type libField struct {
	name  string
	index []int
}

type libFieldSet struct {
	byName map[string]*libField
	list   []*libField
}

func (fs *libFieldSet) add(f *libField) {
	fs.byName[f.name] = f
	fs.list = append(fs.list, f)
}

// libFields returns t's fields as the decoder sees them, and false where
// the library panics instead (an inline tag on an embedded pointer, an
// intern tag on a field that is not a string or an interface).
func libFields(t reflect.Type) (fs *libFieldSet, ok bool) {
	fs = &libFieldSet{byName: make(map[string]*libField, t.NumField())}
	for i := range t.NumField() {
		f := t.Field(i)
		tagStr := f.Tag.Get("msgpack")
		if tagStr == "" {
			tagStr = f.Tag.Get("json")
		}
		name, opts := parseTag(tagStr)
		if name == "-" {
			continue
		}
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		if _, intern := opts["intern"]; intern && f.Type.Kind() != reflect.String && f.Type.Kind() != reflect.Interface {
			return nil, false
		}
		lf := &libField{name: name, index: f.Index}
		if lf.name == "" {
			lf.name = f.Name
		}
		if _, noinline := opts["noinline"]; f.Anonymous && !noinline {
			_, inline := opts["inline"]
			if inline {
				if f.Type.Kind() != reflect.Struct {
					return nil, false
				}
				inlined, ok := libFields(f.Type)
				if !ok {
					return nil, false
				}
				for _, g := range inlined.list {
					if _, ok := fs.byName[g.name]; ok {
						continue // shadowed
					}
					g.index = append(append([]int(nil), lf.index...), g.index...)
					fs.add(g)
				}
			} else if inline, ok = shouldInline(fs, f.Type, lf); !ok {
				return nil, false
			}
			if inline {
				fs.byName[lf.name] = lf
				continue
			}
		}
		fs.add(lf)
		if alias, ok := opts["alias"]; ok {
			fs.byName[alias] = lf
		}
	}
	return fs, true
}

// shouldInline inlines an embedded plain struct (or pointer to one) unless
// one of its field names is taken already, as the library's does.
func shouldInline(fs *libFieldSet, t reflect.Type, lf *libField) (inline, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || decodesItself(t) || encodesItself(t) {
		return false, true
	}
	inlined, ok := libFields(t)
	if !ok {
		return false, false
	}
	for _, g := range inlined.list {
		if _, ok := fs.byName[g.name]; ok {
			return false, true
		}
	}
	for _, g := range inlined.list {
		g.index = append(append([]int(nil), lf.index...), g.index...)
		fs.add(g)
	}
	return true, true
}

// parseTag splits a struct tag as github.com/vmihailenco/tagparser/v2
// does: a name, then options that are "key" or "key:value", with quoted
// and escaped values.
func parseTag(s string) (name string, opts map[string]string) {
	p := tagParser{s: s, opts: map[string]string{}}
	p.parseKey()
	return p.name, p.opts
}

type tagParser struct {
	s       string
	i       int
	name    string
	opts    map[string]string
	hasName bool
	key     string
}

func (p *tagParser) valid() bool { return p.i < len(p.s) }

func (p *tagParser) read() byte {
	if !p.valid() {
		return 0
	}
	p.i++
	return p.s[p.i-1]
}

func (p *tagParser) skip(c byte) bool {
	if p.valid() && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *tagParser) set(key, value string) {
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if !p.hasName {
		p.hasName = true
		if key == "" {
			p.name = value
			return
		}
	}
	if key == "" {
		p.opts[value] = ""
	} else {
		p.opts[key] = value
	}
}

func (p *tagParser) parseKey() {
	p.key = ""
	var b []byte
	for p.valid() {
		switch c := p.read(); c {
		case ',':
			p.skip(' ')
			p.set("", string(b))
			p.parseKey()
			return
		case ':':
			p.key = string(b)
			p.parseValue()
			return
		case '\'':
			p.parseQuotedValue()
			return
		default:
			b = append(b, c)
		}
	}
	if len(b) > 0 {
		p.set("", string(b))
	}
}

func (p *tagParser) parseValue() {
	if p.skip('\'') {
		p.parseQuotedValue()
		return
	}
	var b []byte
	for p.valid() {
		switch c := p.read(); c {
		case '\\':
			b = append(b, p.read())
		case '(':
			b = p.readBrackets(append(b, c))
		case ',':
			p.skip(' ')
			p.set(p.key, string(b))
			p.parseKey()
			return
		default:
			b = append(b, c)
		}
	}
	p.set(p.key, string(b))
}

func (p *tagParser) readBrackets(b []byte) []byte {
	lvl := 0
	for p.valid() {
		c := p.read()
		switch c {
		case '\\':
			b = append(b, p.read())
		case '(':
			b = append(b, c)
			lvl++
		case ')':
			b = append(b, c)
			if lvl--; lvl < 0 {
				return b
			}
		default:
			b = append(b, c)
		}
	}
	return b
}

func (p *tagParser) parseQuotedValue() {
	var b []byte
	for p.valid() {
		i := strings.IndexByte(p.s[p.i:], '\'')
		if i < 0 {
			b = append(b, p.s[p.i:]...)
			p.i = len(p.s)
			break
		}
		seg := p.s[p.i : p.i+i]
		p.i += i + 1
		if strings.HasSuffix(seg, `\`) {
			b = append(append(b, seg[:len(seg)-1]...), '\'')
			continue
		}
		b = append(b, seg...)
		break
	}
	p.set(p.key, string(b))
	if p.skip(',') {
		p.skip(' ')
	}
	p.parseKey()
}
