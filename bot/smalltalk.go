package bot

import (
	"strings"
	"unicode"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// talk is a kind of small talk.
type talk int

const (
	noTalk talk = iota
	thanks
	greeting
	goodbye
	ack
	resolved // a closing remark: "nvm, it was a loose cable"
)

// talkOf returns the kind of small talk a word makes ("thanks"), or
// noTalk; filler is true for words that may surround it without making a
// question ("thank you so much for the help", "hi there", "see you later").
func talkOf(w string) (t talk, filler bool) {
	switch w {
	case "thanks", "thank", "thx", "thanx", "thnx", "ty", "tysm", "thankyou", "cheers", "appreciated":
		return thanks, false
	case "hi", "hello", "hey", "hiya", "howdy", "yo", "greetings", "morning", "afternoon", "evening":
		return greeting, false
	case "bye", "goodbye", "byebye", "cya", "farewell", "later", "night", "quit", "exit":
		return goodbye, false
	case "ok", "okay", "k", "kk", "cool", "great", "good", "nice", "awesome", "perfect", "alright",
		"noted", "understood", "got":
		return ack, false
	case "a", "again", "all", "and", "answer", "bot", "espbot", "everyone", "exactly", "fixed",
		"for", "guys", "help", "helped", "helpful", "i", "info", "is", "issue", "it", "it's", "just",
		"lot", "lots", "man", "many", "mate", "much", "needed", "now", "oh", "problem", "really",
		"see", "so", "solved", "that", "that's", "the", "there", "this", "u", "very", "was", "what",
		"working", "works", "worked", "wow", "ya", "you", "your":
		return noTalk, true
	}
	return noTalk, false
}

// maxTalkWords bounds small talk: a longer message is a question.
const maxTalkWords = 8

// smallTalk answers a message that is only a greeting, a thank-you, a
// goodbye, an acknowledgement or a closing remark with a short friendly
// line instead of "no answer". A message with any other word ("hi, how do
// I set the MTU?") is a question, and ok is false.
func smallTalk(q string, v voice) (r Reply, ok bool) {
	kind := talkKind(q)
	if kind == noTalk && matcher.ClosingRemark(q) {
		kind = resolved
	}
	var line []knowledge.Inline
	switch kind {
	case noTalk:
		return Reply{}, false
	case thanks:
		line = []knowledge.Inline{text("You're welcome! Ask me again any time.")}
	case greeting:
		line = []knowledge.Inline{text("Hello! Ask me a question about ESP32/ESP8266 networking, or type "), v.cmd("help"), text(" to see what I can do.")}
	case goodbye:
		line = []knowledge.Inline{text("Bye! Come back with any ESP32/ESP8266 networking question.")}
		if v.terminal {
			line = append(line, text(" (Ctrl-D leaves the chat.)"))
		}
	case ack:
		line = []knowledge.Inline{text("Glad to help. Ask me anything else about ESP32/ESP8266 networking.")}
	case resolved:
		line = []knowledge.Inline{text("Glad it's sorted! Ask me again any time.")}
	}
	r = notice("", docOf(para(line...)))
	r.SmallTalk = true
	return r, true
}

// talkKind returns the kind of small talk a message is made of, or noTalk
// when it has any other word.
func talkKind(q string) talk {
	words := strings.FieldsFunc(strings.ToLower(q), func(c rune) bool {
		return !unicode.IsLetter(c) && c != '\''
	})
	if len(words) > maxTalkWords {
		return noTalk
	}
	kind := noTalk // the first kind in talk's order wins: "ok, thanks" thanks
	if len(words) == 0 && strings.ContainsFunc(q, func(c rune) bool { return unicode.Is(unicode.So, c) }) {
		kind = ack // only emoji: a thumbs up, a smile
	}
	for _, w := range words {
		t, filler := talkOf(w)
		switch {
		case t != noTalk && (kind == noTalk || t < kind):
			kind = t
		case t == noTalk && !filler:
			return noTalk
		}
	}
	return kind
}
