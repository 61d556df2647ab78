//go:build race

package bot

// raceEnabled is true under the race detector, which makes the
// million-claim test too slow to be worth running.
const raceEnabled = true
