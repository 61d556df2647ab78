package matcher

import (
	"strings"
	"testing"
)

func TestTermAnalyzer_Terms(t *testing.T) {
	t.Parallel()
	a := NewTermAnalyzer()
	tests := []struct {
		in   string
		want string
	}{
		{"How do I connect to Wi-Fi?", "connect wifi"},
		{"connecting connected connection", "connect"},
		{"Does the ESP32-S3 support OTA updates?", "esp32s3 support ota updat"},
		{"the and of", ""},
		{"esp_wifi_set_ps(WIFI_PS_NONE) keeps failing", "esp_wifi_set_ps wifi_ps_none keep fail"},
	}
	for _, tt := range tests {
		if got := strings.Join(a.Terms(tt.in), " "); got != tt.want {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
