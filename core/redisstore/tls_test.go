package redisstore_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
)

// TestTLS runs a session through a rediss:// URL (ParseURL) to a private
// redis-server that speaks only TLS, with a certificate from a test CA the
// client is told to trust.
func TestTLS(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server not found and SESSKIT_REQUIRE_REDIS=1")
		}
		t.Skip("redis-server not found")
	}
	dir := t.TempDir()
	roots := writeTestCerts(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", "0", "--tls-port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--tls-cert-file", filepath.Join(dir, "server.crt"), "--tls-key-file", filepath.Join(dir, "server.key"),
		"--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	opt, err := redisstore.ParseURL(fmt.Sprintf("rediss://localhost:%d/0", port))
	if err != nil {
		t.Fatal(err)
	}
	if opt.TLSConfig == nil || opt.TLSConfig.ServerName != "localhost" {
		t.Fatalf("rediss:// gave TLS config %+v, want one checking the name localhost", opt.TLSConfig)
	}
	untrusting := redis.NewClient(opt)
	t.Cleanup(func() { _ = untrusting.Close() })
	opt, _ = redisstore.ParseURL(fmt.Sprintf("rediss://localhost:%d/0", port))
	opt.TLSConfig.RootCAs = roots // a private CA; a public one needs nothing
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	for start := time.Now(); rdb.Ping(t.Context()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("TLS redis-server did not answer: %v", rdb.Ping(t.Context()).Err())
		}
	}
	// The certificate is checked: without the CA the handshake fails.
	if err := untrusting.Ping(t.Context()).Err(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Ping without the CA = %v, want a certificate error", err)
	}
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	_, id := newToken(t)
	now := time.Now()
	create(t, s, id, now, now.Add(time.Hour), map[string][]byte{"a": []byte("j1")})
	rec, found, err := s.Load(t.Context(), id)
	if err != nil || !found || string(rec.Values["a"]) != "j1" {
		t.Fatalf("Load over TLS = %v, %v, %v", rec.Values, found, err)
	}
}

// writeTestCerts writes a CA-signed certificate for localhost to dir
// (server.crt, server.key) and returns the CA as a pool.
func writeTestCerts(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, serverKey := newKey(), newKey()
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sesskit test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	server := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, server, caCert, &serverKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(serverKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("server.crt", "CERTIFICATE", serverDER)
	write("server.key", "EC PRIVATE KEY", keyDER)
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	return roots
}
