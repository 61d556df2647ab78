package store

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// envCrashChild makes TestCrashChild write until it is killed; it holds the
// store Options as JSON.
const envCrashChild = "ESPBOT_STORE_CRASH_CHILD"

// crashBatch is the size of each transaction of the child.
const crashBatch = 50

// TestStore_KilledMidWrite re-runs the test binary as a child that writes
// batches as fast as it can, kills it with SIGKILL after some commits
// (while it is in the middle of the next transaction), then checks that the
// database opens, is intact, and holds only whole batches.
func TestStore_KilledMidWrite(t *testing.T) {
	t.Parallel()
	for _, be := range backends(t) {
		be.run(t, func(t *testing.T, o Options) {
			committed := runCrashChild(t, o, 20)
			st := openStore(t, o)
			checkWholeBatches(t, st, committed)
			if o.Driver == SQLite {
				var res string
				if err := st.db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
					t.Errorf("integrity_check = %q, %v", res, err)
				}
			}
		})
	}
}

// runCrashChild starts the child, waits for n commits and kills it. It
// returns how many commits the child reported.
func runCrashChild(t *testing.T, o Options, n int) int {
	t.Helper()
	spec, _ := json.Marshal(o)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashChild+"="+string(spec))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := 0
	sc := bufio.NewScanner(out)
	for committed < n && sc.Scan() {
		if strings.HasPrefix(sc.Text(), "committed ") {
			committed++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed < n {
		t.Fatalf("child reported %d commits before exiting, want %d", committed, n)
	}
	return committed
}

// checkWholeBatches checks that every batch is complete: crashBatch
// questions and one feedback per batch channel, and at least the batches
// the child reported.
func checkWholeBatches(t *testing.T, st *Store, committed int) {
	t.Helper()
	ctx := context.Background()
	qs, err := st.Questions(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := st.Feedback(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	perBatch := map[string]int{}
	for _, q := range qs {
		perBatch[q.Channel]++
	}
	for ch, k := range perBatch {
		if k != crashBatch {
			t.Errorf("batch %s has %d questions, want %d: a partial transaction survived", ch, k, crashBatch)
		}
	}
	if len(fs) != len(perBatch) {
		t.Errorf("%d feedback rows for %d batches", len(fs), len(perBatch))
	}
	if len(perBatch) < committed {
		t.Errorf("%d batches stored, but the child reported %d commits", len(perBatch), committed)
	}
	t.Logf("%d whole batches after SIGKILL (%d reported committed)", len(perBatch), committed)
}

// TestCrashChild is the child of TestStore_KilledMidWrite; it does nothing
// in a normal run.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(envCrashChild)
	if spec == "" {
		t.Skip("only runs as the child of TestStore_KilledMidWrite")
	}
	var o Options
	if err := json.Unmarshal([]byte(spec), &o); err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		ch := fmt.Sprintf("batch-%d", i)
		b := Batch{Feedback: []Feedback{{Time: time.Now(), Platform: "p", Channel: ch, Kind: FeedbackUp}}}
		for j := range crashBatch {
			b.Questions = append(b.Questions, Question{Time: time.Now(), Platform: "p", Channel: ch,
				Text: strings.Repeat("x", j*20), Kind: KindAnswer})
		}
		if err := st.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", i)
	}
}
