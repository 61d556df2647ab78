package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// trainSet is a small labelled set over the embedded page, in the format of
// question sets (titles as written in the page).
const trainSet = `{"id":"t1","question":"esp32 wifi lag is awful, how do i get it lower","expect":"How to optimize communication latency for ESP32？","style":"casual"}
{"id":"t2","question":"turn off power save to cut latency?","expect":"How to optimize communication latency for ESP32？","style":"howto"}
{"id":"t3","question":"what keepalive does esp-mqtt use by default","expect":"What is the default keep-alive value of the MQTT component in ESP-IDF?","style":"casual"}
{"id":"t4","question":"mqtt client keep alive default seconds","expect":"What is the default keep-alive value of the MQTT component in ESP-IDF?","style":"howto"}
{"id":"t5","question":"lwip mtu on esp32?","expect":"What is the default MTU of LWIP for an ESP32?","style":"casual"}
{"id":"t6","question":"biggest ip packet the stack sends by default","expect":"What is the default MTU of LWIP for an ESP32?","style":"howto"}
{"id":"t7","question":"dns lookups time out too soon, can i wait longer","expect":"How to increase the DNS request time for ESP32?","style":"symptom"}
{"id":"t8","question":"longer dns timeout esp32","expect":"How to increase the DNS request time for ESP32?","style":"casual"}
{"id":"t9","question":"does the mqtt lib reconnect on its own","expect":"Does MQTT support automatic reconnection?","style":"casual"}
{"id":"t10","question":"auto reconnect in esp mqtt?","expect":"Does MQTT support automatic reconnection?","style":"howto"}
{"id":"t11","question":"how do i blink an led","expect":null,"style":"howto"}
{"id":"t12","question":"tell me a joke","expect":null,"style":"offtopic"}
{"id":"t13","question":"some question","expect":"A title this page does not have?","style":"howto"}
`

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestRunTrain: train writes a model that ask, eval and chat then use;
// unknown titles are named with their line.
func TestRunTrain(t *testing.T) {
	set := writeFile(t, "set.jsonl", trainSet)
	model := filepath.Join(t.TempDir(), "model.txt")
	out, stderr, err := runArgs(t, "", "train", "--questions", set, "--out", model, "--folds", "2")
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "wrote "+model) || !strings.Contains(stderr, set+":13: expected title not in the knowledge base") {
		t.Errorf("stdout %q stderr %q", out, stderr)
	}
	body, err := os.ReadFile(model)
	if err != nil || !strings.HasPrefix(string(body), "espbot-matcher-model 1\n") {
		t.Fatalf("model file: %v %q", err, body)
	}
	again := filepath.Join(t.TempDir(), "again.txt")
	if _, _, err := runArgs(t, "", "train", "--questions", set, "--out", again, "--folds", "2"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(again); string(b) != string(body) {
		t.Error("training twice on the same set wrote different models")
	}
	if out, _, err := runArgs(t, "", "ask", "--json", "--model", model, "lwip mtu on esp32?"); err != nil || !strings.Contains(out, `"id":"protocols-bc95"`) {
		t.Errorf("ask --model: %v %s", err, out)
	}
	if out, _, err := runArgs(t, "lwip mtu on esp32?\n", "chat", "--model", model); err != nil || !strings.Contains(out, "MTU") {
		t.Errorf("chat --model: %v %s", err, out)
	}
	if out, _, err := runArgs(t, "", "eval", "--model", model, set); err != nil || !strings.Contains(out, "offtopic") {
		t.Errorf("eval --model: %v\n%s", err, out)
	}
}

func TestRunTrain_usage(t *testing.T) {
	set := writeFile(t, "set.jsonl", trainSet)
	for _, args := range [][]string{
		{"train", "--questions", set},
		{"train", "--out", "m.txt"},
		{"train", "--questions", set, "--out", "m.txt", "--folds", "1"},
	} {
		if _, _, err := runArgs(t, "", args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
	bad := writeFile(t, "bad.jsonl", "{\"id\":\"x\",\"question\":\"q\",\"expect\":null}\nnot json\n")
	if _, _, err := runArgs(t, "", "train", "--questions", bad, "--out", filepath.Join(t.TempDir(), "m")); err == nil || !strings.Contains(err.Error(), bad+":2:") {
		t.Errorf("bad set: got %v, want %s:2", err, bad)
	}
}

// TestRunEval_cv: cross-validation prints the figures, one line per
// style, one per post template the questions are also filed in, and one
// for the questions with typos.
func TestRunEval_cv(t *testing.T) {
	set := writeFile(t, "set.jsonl", trainSet)
	out, _, err := runArgs(t, "", "eval", "--cv", "2", "--questions", set)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"overall", "wrong ", "style", "casual", "offtopic", "filed", "in esp-idf-form", "in forum", "variant", "with typos", "with a set-up note"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval --cv output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runArgs(t, "", "eval", "--cv", "1", set); !errors.Is(err, errUsage) {
		t.Errorf("--cv 1: got %v, want a usage error", err)
	}
}

// TestModelFlag_errors: a broken model file is named with its line.
func TestModelFlag_errors(t *testing.T) {
	bad := writeFile(t, "model.txt", "espbot-matcher-model 1\n[ranker]\n1.0 sparkle\n")
	_, _, err := runArgs(t, "", "ask", "--model", bad, "mtu?")
	if err == nil || !strings.Contains(err.Error(), bad+":3:") || !strings.Contains(err.Error(), "sparkle") {
		t.Errorf("got %v, want %s:3 naming the feature", err, bad)
	}
	if _, _, err := runArgs(t, "", "ask", "--model", filepath.Join(t.TempDir(), "none.txt"), "mtu?"); err == nil {
		t.Error("a missing model file was accepted")
	}
}

// TestConfigCheck_model: config check reads matcher.model (relative to the
// file) and reports a broken one with its line.
func TestConfigCheck_model(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.txt"), []byte("espbot-matcher-model 1\n[terms]\nx idf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "espbot.yaml")
	if err := os.WriteFile(cfg, []byte("matcher:\n  model: model.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runArgs(t, "", "config", "check", cfg)
	if err == nil || !strings.Contains(out+stderr, "model.txt:3:") {
		t.Errorf("config check: %v\n%s%s", err, out, stderr)
	}
}
