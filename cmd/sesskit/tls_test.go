package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTLS: a Redis that speaks only TLS, with a certificate from a private
// CA, is reached with a rediss:// URL or -addrs and -tls, given the CA
// with -tls-ca; without the CA the certificate is refused (exit 1).
func TestTLS(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server not found and SESSKIT_REQUIRE_REDIS=1")
		}
		t.Skip("redis-server not found")
	}
	dir := t.TempDir()
	writeCerts(t, dir)
	port := freePort(t)
	cmd := exec.Command(bin, "--port", "0", "--tls-port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--tls-cert-file", filepath.Join(dir, "server.crt"), "--tls-key-file", filepath.Join(dir, "server.key"),
		"--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ca := filepath.Join(dir, "ca.crt")
	url := fmt.Sprintf("rediss://localhost:%d/0", port)
	for start := time.Now(); sesskit(t, "stats", "-redis", url, "-tls-ca", ca).code != 0; time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("stats over TLS: %+v", sesskit(t, "stats", "-redis", url, "-tls-ca", ca))
		}
	}
	if res := sesskit(t, "stats", "-addrs", fmt.Sprintf("localhost:%d", port), "-tls", "-tls-ca", ca); res.code != 0 {
		t.Errorf("-addrs -tls: exit %d: %s", res.code, res.stderr)
	}
	if res := sesskit(t, "stats", "-redis", url); res.code != 1 || !strings.Contains(res.stderr, "certificate") {
		t.Errorf("without the CA: exit %d: %s", res.code, res.stderr)
	}
	if res := sesskit(t, "stats", "-redis", url, "-tls-ca", filepath.Join(dir, "server.key")); res.code != 2 {
		t.Errorf("a CA file with no certificate: exit %d: %s", res.code, res.stderr)
	}
}

// writeCerts writes a test CA (ca.crt) and a certificate it signed for
// localhost (server.crt, server.key) to dir.
func writeCerts(t *testing.T, dir string) {
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
	write("ca.crt", "CERTIFICATE", caDER)
	write("server.crt", "CERTIFICATE", serverDER)
	write("server.key", "EC PRIVATE KEY", keyDER)
}
