package matcher

import (
	"slices"
	"strings"
	"testing"
)

func tokenTexts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
		if t.Part {
			out[i] = "+" + t.Text
		}
	}
	return out
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want string // space-separated; parts prefixed with +
	}{
		{"call esp_wifi_set_ps(WIFI_PS_NONE)", "call esp_wifi_set_ps +esp +wifi +set +ps wifi_ps_none +wifi +ps +none"},
		{"SO_REUSEADDR", "so_reuseaddr +so +reuseaddr"},
		{"errno 23", "errno 23"},
		{"v3.3 and 3.3", "v3.3 and v3.3"},
		{"release/v3.3", "release v3.3"},
		{"IDF5.1, idf-v5.0.1 and esp-idf5.1.2", "idf v5.1 idf v5.0.1 and espidf +esp +idf v5.1.2"},
		{"idf.py idf5", "idf py idf5"},
		{"ESP32-S2 esp32s2 S2", "esp32s2 esp32s2 esp32s2"},
		{"the s3's usb port", "the esp32s3 usb port"},
		{"8266 and ESP8285", "esp8266 and esp8285"},
		{"192.168.4.1", "192.168.4.1"},
		{"keep-alive keepalive", "keepalive +keep +alive keepalive"},
		{"Wi-Fi wifi", "wifi +wi +fi wifi"},
		{"AT+CIPSERVER", "at+cipserver +at +cipserver"},
		{"mqtt_config.h", "mqtt_config +mqtt +config h"},
		{"https://github.com/espressif/esp-idf", "https github com espressif espidf +esp +idf"},
		{"pings of 1-2 s", "pings of 1 2 s"},
		{"-0x7A00 during", "0x7a00 during"},
		{"300ms then ~5 min", "300 ms then 5 min"},
		{"2.4GHz and 5ghz", "v2.4 ghz and 5 ghz"},
		{"64KB buffer, 0x2800", "64 kb buffer 0x2800"},
		{"the 9th phone, 1st and 22nd", "the 9 phone 1 and 22"},
		{"my ESP-01 hotspot, a NodeMCU", "my esp01 +esp +01 +esp8266 hotspot a nodemcu +esp8266"},
		{"IDF 3.3 on a WROOM-32, ESP32-WROVER-E", "idf v3.3 on a wroom32 +wroom +32 +esp32 esp32wrovere +esp32 +wrover +e"},
		{"an ESP-WROOM-32 on an ESP-WROVER-KIT", "an espwroom32 +esp +wroom +32 +esp32 on an espwroverkit +esp +wrover +kit +esp32"},
		{"ESP8266EX", "esp8266"},
		{"ESP-WROOM-S2", "espwrooms2 +esp +wroom +esp32s2"}, // its chip is a part already
		{"don't", "dont"},
		{"", ""},
		{"🤔 ??", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := tokenTexts(Tokenize(Normalize(tt.in)))
			want := strings.Fields(tt.want)
			if !slices.Equal(got, want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestTokenize_kinds(t *testing.T) {
	tests := []struct {
		in   string
		want TokenKind
	}{
		{"latency", Word},
		{"esp_wifi_set_ps", Ident},
		{"lan8720", Ident},
		{"1500", Number},
		{"192.168.4.1", Number},
		{"v4.4", Version},
		{"5.0.1", Version},
		{"123.4", Number},   // a first part of three digits is no version
		{"1.2.3.4", Number}, // nor are four parts
		{"esp32-c3", Chip},
	}
	for _, tt := range tests {
		toks := Tokenize(Normalize(tt.in))
		if len(toks) == 0 || toks[0].Kind != tt.want {
			t.Errorf("Tokenize(%q)[0] kind = %v, want %v", tt.in, toks, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"How to optimize latency for ESP32？", "how to optimize latency for esp32?"},
		{"APP：https://x", "app:https://x"},
		{"café naïve", "cafe naive"},
		{"a\x00b\tc", "a b c"},
		{"bad \xff utf8", "bad   utf8"},
		{"ＥＳＰ３２", "esp32"},
		{"Connect W/O a password, w/o TLS", "connect without a password, without tls"},
		{"/dev/w/o and http://x/w/out", "/dev/w/o and http://x/w/out"},
		{"@espbot hi @jane.doe, (@mod-team)", "        hi          , (         )"},
		{"mail dev@espressif.com", "mail dev@espressif.com"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("é", MaxQueryBytes)
	got := Truncate(long)
	if len(got) > MaxQueryBytes || !strings.HasPrefix(long, got) || len(got) < MaxQueryBytes-1 {
		t.Fatalf("Truncate: len %d", len(got))
	}
	if Truncate("short") != "short" {
		t.Fatal("Truncate changed a short string")
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"mqqt", "mqtt", 1, 1},
		{"recieve", "receive", 1, 1},
		{"pasword", "password", 1, 1},
		{"mpbs", "mbps", 1, 1},
		{"timout", "timeout", 1, 1},
		{"abc", "xyz", 1, 2},
		{"enabel", "enable", 1, 1},
		{"somtimes", "sometimes", 2, 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got, want := withinOne(tt.a, tt.b), tt.want <= 1; got != want {
			t.Errorf("withinOne(%q, %q) = %v, want %v", tt.a, tt.b, got, want)
		}
	}
}

// FuzzWithinOne checks the linear check against the dynamic programme.
func FuzzWithinOne(f *testing.F) {
	f.Add("mqqt", "mqtt")
	f.Add("abc", "acb")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 30 || len(b) > 30 {
			return
		}
		if got, want := withinOne(a, b), editDistance(a, b, 1) <= 1; got != want {
			t.Fatalf("withinOne(%q, %q) = %v, editDistance says %v", a, b, got, want)
		}
	})
}

// FuzzLetterFilter checks that the letter-set test never rules out words
// the edit distance accepts.
func FuzzLetterFilter(f *testing.F) {
	f.Add("mqqt", "mqtt")
	f.Add("somtimes", "sometimes")
	f.Add("rabbitmq", "rabbitqm")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 30 || len(b) > 30 {
			return
		}
		for d := 1; d <= 2; d++ {
			if editDistance(a, b, d) <= d && !mayBeWithin(letterSet(a), letterSet(b), d) {
				t.Fatalf("letters rule out %q -> %q within %d edits", a, b, d)
			}
		}
	})
}

// TestCorrectTies checks that of two equally close, equally used words a
// correction takes the same one whatever the vocabulary's map order.
func TestCorrectTies(t *testing.T) {
	an, err := newAnalyzer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		v := newVocabulary(map[string]int{"mqtx": 3, "mqtt": 3, "mqty": 3, "mqtz": 2}, an)
		got, ok := v.correct("mqtq")
		if !ok || got.word != "mqtt" {
			t.Fatalf("correct(mqtq) = %q, %v; want mqtt", got.word, ok)
		}
	}
}
