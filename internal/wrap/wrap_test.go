package wrap

import (
	"strings"
	"testing"

	"github.com/espbot/espbot/internal/textwidth"
	"github.com/espbot/espbot/knowledge"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width int
		in    []string
		want  []string
	}{
		{
			name: "short line unchanged", width: 40,
			in:   []string{"Use esp_wifi_set_ps(WIFI_PS_NONE)."},
			want: []string{"Use esp_wifi_set_ps(WIFI_PS_NONE)."},
		},
		{
			name: "paragraph folded at word boundaries", width: 20,
			in:   []string{"The TCP window size of lwIP can be changed in menuconfig."},
			want: []string{"The TCP window size", "of lwIP can be", "changed in", "menuconfig."},
		},
		{
			name: "exact width fits", width: 9,
			in:   []string{"abcd efgh"},
			want: []string{"abcd efgh"},
		},
		{
			name: "URL wider than the terminal stays whole on its own line", width: 20,
			in:   []string{"See the guide (https://docs.espressif.com/projects/esp-idf/en/latest/esp32/api-guides/wifi.html) for more."},
			want: []string{"See the guide", "(https://docs.espressif.com/projects/esp-idf/en/latest/esp32/api-guides/wifi.html)", "for more."},
		},
		{
			name: "list items hang under their text", width: 24,
			in:   []string{"- set the keepalive interval to 60 seconds", "12. then reconnect to the broker quickly"},
			want: []string{"- set the keepalive", "  interval to 60 seconds", "12. then reconnect to", "    the broker quickly"},
		},
		{
			name: "nested list and item continuation keep their columns", width: 22,
			in: []string{
				"- outer item with several words",
				"  continuation paragraph of the outer item",
				"  - nested item that is long enough",
			},
			want: []string{
				"- outer item with", "  several words",
				"  continuation", "  paragraph of the", "  outer item",
				"  - nested item that", "    is long enough",
			},
		},
		{
			name: "top-level code block is never folded", width: 16,
			in:   []string{"Run this:", "", "    idf.py -p /dev/ttyUSB0 flash monitor", "", "    esp_wifi_set_ps(WIFI_PS_NONE);", "", "and wait."},
			want: []string{"Run this:", "", "    idf.py -p /dev/ttyUSB0 flash monitor", "", "    esp_wifi_set_ps(WIFI_PS_NONE);", "", "and wait."},
		},
		{
			name: "code inside a list item is never folded", width: 16,
			in:   []string{"- Configure it like this:", "      CONFIG_LWIP_TCP_SND_BUF_DEFAULT=65534 # bytes", "  and then rebuild the app."},
			want: []string{"- Configure it", "  like this:", "      CONFIG_LWIP_TCP_SND_BUF_DEFAULT=65534 # bytes", "  and then", "  rebuild the", "  app."},
		},
		{
			name: "code after a list at the top level is not taken for list text", width: 16,
			in:   []string{"- one short item", "", "    make -j4 all flash monitor"},
			want: []string{"- one short item", "", "    make -j4 all flash monitor"},
		},
		{
			name: "note body and its code", width: 18,
			in:   []string{"Note:", "      int sock = socket(AF_INET, SOCK_STREAM, 0);"},
			want: []string{"Note:", "      int sock = socket(AF_INET, SOCK_STREAM, 0);"},
		},
		{
			name: "wide characters count two columns", width: 10,
			in:   []string{"乐鑫 乐鑫 乐鑫 乐鑫"},
			want: []string{"乐鑫 乐鑫", "乐鑫 乐鑫"},
		},
		{
			name: "zero width leaves the text alone", width: 0,
			in:   []string{"a long line that would otherwise be folded"},
			want: []string{"a long line that would otherwise be folded"},
		},
		{
			name: "deep hang is reduced on a narrow terminal", width: 12,
			in:   []string{"- a", "  - b", "    - c", "      - deeply nested item text"},
			want: []string{"- a", "  - b", "    - c", "      - deeply", "      nested", "      item", "      text"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(strings.Join(tc.in, "\n"), tc.width)
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("Text(%d):\n%s\nwant:\n%s", tc.width, got, want)
			}
		})
	}
}

// TestText_embeddedFAQ folds every answer of the embedded FAQ and checks
// that no word is lost, that code lines come out unchanged and that a prose
// line is wider than the terminal only when it is a single word.
func TestText_embeddedFAQ(t *testing.T) {
	kb, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	for _, width := range []int{30, 60, 80} {
		for _, e := range kb.Entries {
			in := knowledge.RenderText(e.Body)
			out := Text(in, width)
			if strings.Join(strings.Fields(in), " ") != strings.Join(strings.Fields(out), " ") {
				t.Fatalf("%s at %d: words changed:\n%s\n---\n%s", e.ID, width, in, out)
			}
			checkLines(t, e.ID, in, out, width)
		}
	}
}

func checkLines(t *testing.T, id, in, out string, width int) {
	t.Helper()
	outLines := make(map[string]bool)
	for _, l := range strings.Split(out, "\n") {
		outLines[l] = true
		if textwidth.String(l) > width && len(strings.Fields(l)) > 1 && !isCode(in, l) {
			t.Errorf("%s at %d: prose line too wide: %q", id, width, l)
		}
	}
	var c classifier
	for _, l := range strings.Split(in, "\n") {
		if _, _, prose := c.next(l); !prose && !outLines[l] {
			t.Errorf("%s at %d: code line changed: %q", id, width, l)
		}
	}
}

// isCode reports whether l is one of the lines of in that are not prose.
func isCode(in, l string) bool {
	var c classifier
	for _, x := range strings.Split(in, "\n") {
		if _, _, prose := c.next(x); !prose && x == l {
			return true
		}
	}
	return false
}

func TestHang(t *testing.T) {
	for _, tc := range []struct {
		name               string
		line               string
		start, hang, width int
		want               []string
	}{
		{
			name: "title under its heading", line: "Q: What is the default MTU of LWIP for an ESP32?", start: 3, hang: 3, width: 30,
			want: []string{"Q: What is the default MTU of", "   LWIP for an ESP32?"},
		},
		{
			name: "command and ID stay whole, the title hangs beside them", line: "   /show protocols-39c7  Are there any limits on the number of TCP clients?", start: 25, hang: 25, width: 51,
			want: []string{"   /show protocols-39c7  Are there any limits on", "                         the number of TCP clients?"},
		},
		{
			name: "fits", line: "Q: short", start: 3, hang: 3, width: 8,
			want: []string{"Q: short"},
		},
		{
			name: "no width", line: "Q: a line that would be folded", start: 3, hang: 3, width: 0,
			want: []string{"Q: a line that would be folded"},
		},
		{
			name: "a heading wider than half the terminal hangs at half", line: "   /show protocols-39c7  Are there any limits", start: 25, hang: 25, width: 30,
			want: []string{"   /show protocols-39c7  Are", "               there any", "               limits"},
		},
		{
			name: "a hang of its own", line: "   /show protocols-39c7  Are there any limits", start: 25, hang: 6, width: 32,
			want: []string{"   /show protocols-39c7  Are", "      there any limits"},
		},
		{
			name: "start past the end is the whole line", line: "Q: abc def", start: 99, hang: 3, width: 5,
			want: []string{"Q: abc def"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Hang(tc.line, tc.start, tc.hang, tc.width)
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("Hang(%d, %d, %d):\n%s\nwant:\n%s", tc.start, tc.hang, tc.width, got, want)
			}
		})
	}
}
