package matcher

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

// trainingSet is a small labelled set over the embedded page, written for
// these tests: three ways of asking for each of twelve entries, and lines
// no entry answers.
var trainingSet = []struct{ q, title string }{
	{"esp32 wifi lag is awful, how do i get it lower", "How to optimize communication latency"},
	{"turn off power save to cut latency?", "How to optimize communication latency"},
	{"ping times jump around on my esp32 board", "How to optimize communication latency"},
	{"what keepalive does esp-mqtt use by default", "What is the default keep-alive value"},
	{"mqtt client keep alive default seconds", "What is the default keep-alive value"},
	{"how long between mqtt pings if i don't set keepalive", "What is the default keep-alive value"},
	{"does the mqtt lib reconnect on its own", "Does MQTT support automatic reconnection"},
	{"broker dropped me, will esp-mqtt come back by itself", "Does MQTT support automatic reconnection"},
	{"auto reconnect in esp mqtt?", "Does MQTT support automatic reconnection"},
	{"lwip mtu on esp32?", "What is the default MTU"},
	{"biggest ip packet the stack sends by default", "What is the default MTU"},
	{"is the esp32 mtu 1500", "What is the default MTU"},
	{"dns lookups time out too soon, can i wait longer", "How to increase the DNS request time"},
	{"getaddrinfo gives up fast on a slow network", "How to increase the DNS request time"},
	{"longer dns timeout esp32", "How to increase the DNS request time"},
	{"reuse a server port right after closing the socket", "When ESP32 & ESP8266 are used as TCP Servers"},
	{"bind fails with address in use after restarting my tcp server", "When ESP32 & ESP8266 are used as TCP Servers"},
	{"SO_REUSEADDR on esp", "When ESP32 & ESP8266 are used as TCP Servers"},
	{"errno 23 after opening and closing sockets many times", "After creating and closing TCP SOCKET"},
	{"too many open files from socket()", "After creating and closing TCP SOCKET"},
	{"socket creation fails after a while of reconnecting", "After creating and closing TCP SOCKET"},
	{"sntp time zone wrong with utc", "When using UTC and GMT methods in SNTP"},
	{"setenv TZ GMT+8 gives the wrong hour", "When using UTC and GMT methods in SNTP"},
	{"local time from sntp is off by my timezone", "When using UTC and GMT methods in SNTP"},
	{"any lte modem example for esp32", "Does ESP32 have an LTE connection demo"},
	{"4g cellular on esp32 how", "Does ESP32 have an LTE connection demo"},
	{"pppos demo for a sim7600?", "Does ESP32 have an LTE connection demo"},
	{"static ip for ethernet on idf 3.3", "Using esp-idf release/v3.3"},
	{"fixed address on the eth interface, example?", "Using esp-idf release/v3.3"},
	{"disable dhcp on ethernet and set my own ip", "Using esp-idf release/v3.3"},
	{"send chunked http body with esp_http_client", "How to use esp_http_client to send chunked data"},
	{"transfer-encoding chunked upload from esp32", "How to use esp_http_client to send chunked data"},
	{"stream a post without knowing the length", "How to use esp_http_client to send chunked data"},
	{"mbedtls uses too much ram", "How to optimize memory when ESP32 uses mbedtls"},
	{"shrink tls memory footprint", "How to optimize memory when ESP32 uses mbedtls"},
	{"ssl handshake runs out of heap, options?", "How to optimize memory when ESP32 uses mbedtls"},
	{"how do i blink an led", ""},
	{"best spi flash chip for the s3?", ""},
	{"i2c sensor not responding", ""},
	{"how to use deep sleep with a button wakeup", ""},
	{"thanks, that fixed it!", "offtopic"},
	{"anyone around?", "offtopic"},
	{"tell me a joke", "offtopic"},
}

func trainingQuestions(tb testing.TB, ix *Index) []TrainingQuestion {
	tb.Helper()
	var qs []TrainingQuestion
	for i, c := range trainingSet {
		q := TrainingQuestion{ID: string(rune('a'+i%26)) + string(rune('a'+i/26)), Text: c.q}
		switch c.title {
		case "":
		case "offtopic":
			q.Style = "offtopic"
		default:
			for _, e := range ix.Entries() {
				if strings.HasPrefix(e.Title, c.title) {
					q.Answers = append(q.Answers, e.ID)
				}
			}
			if len(q.Answers) != 1 {
				tb.Fatalf("title prefix %q matches %d entries", c.title, len(q.Answers))
			}
		}
		qs = append(qs, q)
	}
	return qs
}

// TestTrain_deterministic: the same inputs give the same model file.
func TestTrain_deterministic(t *testing.T) {
	ix := embeddedIndex(t)
	qs := trainingQuestions(t, ix)
	var files [2]bytes.Buffer
	for i := range files {
		m, err := Train(ix, qs, TrainOptions{Folds: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.WriteTo(&files[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(files[0].Bytes(), files[1].Bytes()) {
		t.Error("two trainings on the same questions wrote different models")
	}
	if _, err := ParseModel(&files[0]); err != nil {
		t.Errorf("the trained model does not read back: %v", err)
	}
}

// TestTrain_learns: a model trained on the set answers its questions and
// keeps the off-topic lines unanswered.
func TestTrain_learns(t *testing.T) {
	ix := embeddedIndex(t)
	qs := trainingQuestions(t, ix)
	m, err := Train(ix, qs, TrainOptions{Folds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if m.AnswerThreshold <= 0 || m.AutoThreshold < m.AnswerThreshold {
		t.Errorf("thresholds %.3f/%.3f", m.AnswerThreshold, m.AutoThreshold)
	}
	if m.PostDecision["bias"] == 0 || len(m.PostRanker) == 0 {
		t.Errorf("no decision (bias %.3f) or ranker (%d weights) of long posts learned from the built-in post templates", m.PostDecision["bias"], len(m.PostRanker))
	}
	tix := ix.withModel(m)
	ranked := 0
	for _, q := range qs {
		res := tix.Search(q.Text)
		if q.Style == "offtopic" && res.Answered {
			t.Errorf("off-topic %q answered with %q", q.Text, res.Best.Entry.Title)
		}
		if len(q.Answers) > 0 && res.Best != nil && res.Best.Entry.ID == q.Answers[0] {
			ranked++
		}
	}
	if ranked < 30 {
		t.Errorf("only %d of 36 training questions rank their entry first", ranked)
	}
}

func TestTrain_unknownEntry(t *testing.T) {
	ix := embeddedIndex(t)
	_, err := Train(ix, []TrainingQuestion{{ID: "x", Text: "mtu?", Answers: []string{"nope-0000"}}}, TrainOptions{})
	if err == nil || !strings.Contains(err.Error(), "nope-0000") {
		t.Errorf("got %v, want an error naming the unknown entry", err)
	}
}

// TestSplitByEntry: every entry's questions are in one fold, and the folds
// are about the same size.
func TestSplitByEntry(t *testing.T) {
	ix := embeddedIndex(t)
	tq, err := ix.resolve(trainingQuestions(t, ix))
	if err != nil {
		t.Fatal(err)
	}
	folds := splitByEntry(tq, 4)
	foldOf := map[string]int{}
	for f, fold := range folds {
		if len(fold) < 8 || len(fold) > 14 {
			t.Errorf("fold %d has %d questions", f, len(fold))
		}
		for _, q := range fold {
			if prev, ok := foldOf[q.unit]; ok && prev != f {
				t.Errorf("questions of %s in folds %d and %d", q.unit, prev, f)
			}
			foldOf[q.unit] = f
		}
	}
}

// TestCrossValidate: every question is answered by a model that never saw
// its entry, in the order given.
func TestCrossValidate(t *testing.T) {
	ix := embeddedIndex(t)
	qs := trainingQuestions(t, ix)
	outs, err := CrossValidate(ix, qs, 3, TrainOptions{Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != len(qs) {
		t.Fatalf("%d outcomes for %d questions", len(outs), len(qs))
	}
	folds := map[string]int{}
	typed := 0
	for i, o := range outs {
		if o.Typos.Query != o.Question.Text {
			typed++
		}
		if note, ok := strings.CutPrefix(o.Setup.Query, o.Question.Text); !ok || !slices.Contains(cvSetupNotes[:], note) {
			t.Fatalf("outcome %d: searched %q with a set-up note, want the question and one of cvSetupNotes", i, o.Setup.Query)
		}
		if o.Question.Text != qs[i].Text {
			t.Fatalf("outcome %d is for %q, want %q", i, o.Question.Text, qs[i].Text)
		}
		if len(o.Question.Answers) > 0 {
			if f, ok := folds[o.Question.Answers[0]]; ok && f != o.Fold {
				t.Errorf("entry %s held out in folds %d and %d", o.Question.Answers[0], f, o.Fold)
			}
			folds[o.Question.Answers[0]] = o.Fold
		}
		if len(o.Posts) != len(PostTemplates()) {
			t.Fatalf("outcome %d: %d post searches, want one per template (%d)", i, len(o.Posts), len(PostTemplates()))
		}
		for j, r := range o.Posts {
			if want := FileInPost(PostTemplates()[j].Text, o.Question.Text); r.Query != want {
				t.Fatalf("outcome %d, post %d: searched %q, want the question filed in the template", i, j, r.Query)
			}
		}
	}
	// most questions have a longer word to mistype
	if typed < len(outs)/2 {
		t.Errorf("%d of %d questions searched with typos", typed, len(outs))
	}
}

func TestWordLike(t *testing.T) {
	for term, want := range map[string]bool{
		"disconnect": true, "~softap": true, "esp_wifi_set_ps": true, "vpn": true,
		"10": false, "v5.0": false, "192.168.4.1": false, "": false,
	} {
		if got := wordLike(term); got != want {
			t.Errorf("wordLike(%q) = %v, want %v", term, got, want)
		}
	}
}

// TestPostTemplates: the built-in templates have their names and a place
// for the question, and FileInPost puts it there.
func TestPostTemplates(t *testing.T) {
	ts := PostTemplates()
	if len(ts) != 4 || ts[0].Name != "arduino-form" || ts[3].Name != "forum" {
		t.Fatalf("templates %v: want the four of data/posts by name", ts)
	}
	for _, tp := range ts {
		post := FileInPost(tp.Text, "what is the default MQTT keepalive?")
		if !strings.Contains(post, "what is the default MQTT keepalive?") || strings.Contains(post, postQuestion) || len(post) < 200 {
			t.Errorf("%s: the filed post lacks the question or keeps the placeholder", tp.Name)
		}
	}
}

// TestChooseThresholds_guard: an off-topic line of the guard rows, typos
// and all, is never answered either.
func TestChooseThresholds_guard(t *testing.T) {
	row := func(conf float64, correct, answerable, off bool) decisionRow {
		r := decisionRow{correct: correct, answerable: answerable, offtopic: off}
		r.x[dfBias] = math.Log(conf / (1 - conf))
		return r
	}
	var rows []decisionRow
	for i := range 20 {
		rows = append(rows, row(0.3+0.03*float64(i), true, true, false))
	}
	decision := map[string]float64{decisionFeatureNames[dfBias]: 1}
	o := TrainOptions{}.withDefaults()
	free, _ := chooseThresholds(rows, nil, decision, o)
	guarded, _ := chooseThresholds(rows, []decisionRow{row(0.7, false, false, true)}, decision, o)
	if free > 0.31 || guarded <= 0.7 {
		t.Errorf("thresholds %.3f without the guard, %.3f with an off-topic guard row at 0.7 (want at most 0.31, above 0.7)", free, guarded)
	}
}
