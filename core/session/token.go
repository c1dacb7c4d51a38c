package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// A token is 32 random bytes in unpadded base64url: 43 characters. Only its
// SHA-256 reaches the store, so a store dump yields no usable session.
const tokenLen = 43

func newToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validToken reports whether s has exactly the shape newToken produces. It
// runs before any store call, so malformed input never reaches the store.
func validToken(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b64index(s[i]) < 0 {
			return false
		}
	}
	// 43 characters carry 258 bits: the last one's two low bits must be 0,
	// or the same bytes would have several spellings.
	return b64index(s[tokenLen-1])&3 == 0
}

func b64index(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}

// storeID is the name a session has in the store: the token's SHA-256 in
// unpadded base64url (43 characters).
func storeID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
