package bot

import (
	"context"
	"strings"
	"testing"
)

func TestSmallTalk(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		want string // a word of the friendly line; "" for a question
	}{
		{"thanks!", "welcome"},
		{"Thank you so much for the help", "welcome"},
		{"thx", "welcome"},
		{"thanks, that fixed it!", "welcome"},
		{"ok thanks", "welcome"},
		{"hi", "Hello"},
		{"Hello there!", "Hello"},
		{"good morning", "Hello"},
		{"bye", "Bye"},
		{"see you later", "Bye"},
		{"ok", "Glad"},
		{"cool, got it", "Glad"},
		{"👍", "Glad"},
		{"ok nvm, it was a loose jumper wire", "sorted"},
		{"never mind, figured it out: wrong GPIO", "sorted"},
		{"nvm, fixed it but now TLS fails", ""},
		{"hi, how do I set the MTU?", ""},
		{"thanks but MQTT still disconnects", ""},
		{"ok what is the default keep-alive", ""},
		{"hello world example for ESP32", ""},
		{"what is it", ""},
		{"help", ""},
		{"", ""},
		{"???", ""},
		{"thanks thanks thanks thanks thanks thanks thanks thanks thanks", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			r, ok := smallTalk(tc.text, voice{})
			if ok != (tc.want != "") {
				t.Fatalf("small talk %v, want %v", ok, tc.want != "")
			}
			if !ok {
				return
			}
			if got := docText(r.Body); !strings.Contains(got, tc.want) || r.Kind != KindNotice || !r.SmallTalk {
				t.Errorf("reply %v %q (small talk %v), want a notice saying %q", r.Kind, got, r.SmallTalk, tc.want)
			}
		})
	}
}

// TestBot_SmallTalk: the core answers small talk addressed to it with a
// friendly notice in the asker's voice, does not record it as a question,
// keeps the API's answer-or-not contract, and stays silent when overheard.
func TestBot_SmallTalk(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	for _, tc := range []struct {
		name string
		msg  Message
		kind Kind
		body string
	}{
		{"terminal thanks", Message{Platform: Terminal, Channel: "t", User: "you", IsDM: true, Text: "thanks!"}, KindNotice, "welcome"},
		{"terminal greeting names /help", Message{Platform: Terminal, Channel: "t", User: "you", IsDM: true, Text: "hi"}, KindNotice, "type /help"},
		{"discord greeting names help", Message{Platform: Discord, Channel: "c1", User: "u1", Text: "<@1> hey", MentionsBot: true}, KindNotice, "type help"},
		{"slack DM goodbye", Message{Platform: Slack, Channel: "D1", User: "u1", Text: "bye", IsDM: true}, KindNotice, "Bye"},
		{"API question", Message{Platform: HTTP, User: "client", Text: "thanks", Ask: true}, KindNoMatch, "couldn't find"},
		{"overheard in an auto channel", Message{Platform: Discord, Channel: "auto", User: "u1", Text: "thanks", EventID: "e1"}, KindIgnore, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &fakeRecorder{}
			b := New(Config{Recorder: rec, Channels: map[string]Policy{"auto": PolicyAuto}}, ix, nil, nil)
			r := b.Handle(context.Background(), tc.msg)
			if r.Kind != tc.kind || !strings.Contains(docText(r.Body), tc.body) {
				t.Fatalf("reply %v %q, want %v saying %q", r.Kind, docText(r.Body), tc.kind, tc.body)
			}
			if r.Kind == KindNotice && (!r.SmallTalk || len(rec.questions) != 0) {
				t.Errorf("small talk %v, recorded %d questions", r.SmallTalk, len(rec.questions))
			}
		})
	}
}

// TestBot_TerminalVoice: in the terminal the core's hints show commands
// with the slash they are typed with, and help speaks of the prompt and
// its keys; elsewhere they stay as chat users type them.
func TestBot_TerminalVoice(t *testing.T) {
	t.Parallel()
	b := New(Config{}, testIndex(t), nil, nil)
	say := func(p Platform, text string) string {
		return docText(b.Handle(context.Background(), Message{Platform: p, Channel: "c", User: "u", IsDM: true, Text: text}).Body)
	}
	for _, tc := range []struct {
		p          Platform
		text       string
		want, dont string
	}{
		{Terminal, offTopic, "/search <words>", ""},
		{Slack, offTopic, "search <words>", "/search"},
		{Terminal, "/show", "Usage: /show <id>", ""},
		{Terminal, "/show nope", "Try /search <words> or /list.", ""},
		{Terminal, "/help", "type it at the prompt", "mention me"},
		{Terminal, "/help", "Ctrl-D", ""},
		{Terminal, "/help", "/search <words>: search", ""},
		{Discord, "help", "mention me in a channel", "Ctrl-D"},
		{Terminal, "/list", "Use /show <id>", ""},
	} {
		got := say(tc.p, tc.text)
		if !strings.Contains(got, tc.want) || (tc.dont != "" && strings.Contains(got, tc.dont)) {
			t.Errorf("%s %q says %q: want %q, not %q", tc.p, tc.text, got, tc.want, tc.dont)
		}
	}
}
