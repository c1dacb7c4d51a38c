package redistap

import "testing"

func TestScanValue(t *testing.T) {
	tests := []struct {
		in   string
		want int // 0: incomplete
	}{
		{"+OK\r\n", 5},
		{"+OK\r", 0},
		{"-ERR x\r\n", 8},
		{":12\r\n", 5},
		{"$5\r\nhello\r\n", 11},
		{"$5\r\nhel", 0},
		{"$-1\r\n", 5},
		{"*2\r\n$1\r\na\r\n:1\r\n", 15},
		{"*2\r\n$1\r\na\r\n", 0},
		{"*-1\r\n", 5},
		{"%1\r\n+k\r\n+v\r\n", 12},
		{"~1\r\n#t\r\n", 8},
		{"_\r\n", 3},
		{",1.5\r\n", 6},
		{"(12345\r\n", 8},
		{"=7\r\ntxt:abc\r\n", 13},
		{"|1\r\n+k\r\n+v\r\n:1\r\n", 16},
		{">2\r\n+a\r\n+b\r\n", 12},
		{"*1\r\n*1\r\n+x\r\n+extra\r\n", 12},
	}
	for _, tt := range tests {
		got, err := scanValue([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("scanValue(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := scanValue([]byte("?x\r\n")); err == nil {
		t.Error("scanValue accepted a bad type byte")
	}
}

func TestScanCommand(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		name string
	}{
		{"*2\r\n$3\r\nget\r\n$1\r\nk\r\n", 20, "GET"},
		{"*2\r\n$3\r\nget\r\n$1\r\n", 0, ""},
		{"PING\r\n", 6, "PING"},
		{"*1\r\n$7\r\nevalsha\r\n*1\r\n$4\r\nPING\r\n", 17, "EVALSHA"},
	}
	for _, tt := range tests {
		n, name, err := scanCommand([]byte(tt.in))
		if err != nil || n != tt.n || name != tt.name {
			t.Errorf("scanCommand(%q) = %d %q %v; want %d %q", tt.in, n, name, err, tt.n, tt.name)
		}
	}
}
