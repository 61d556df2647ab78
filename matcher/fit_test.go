package matcher

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSolve(t *testing.T) {
	a := [][]float64{{4, 1, 0}, {1, 3, 1}, {0, 1, 2}}
	x := solve(a, []float64{1, 2, 3})
	for i, row := range a {
		got := dot(row, x)
		if math.Abs(got-[]float64{1, 2, 3}[i]) > 1e-9 {
			t.Errorf("row %d: %v, want %v", i, got, i+1)
		}
	}
	if solve([][]float64{{1, 2}, {2, 4}}, []float64{1, 2}) != nil {
		t.Error("a singular system solved")
	}
}

// TestFitLogistic recovers the weights that generated the labels.
func TestFitLogistic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := []float64{-0.5, 2, -1}
	var rows []example
	for range 4000 {
		x := []float64{1, rng.NormFloat64(), rng.NormFloat64()}
		y := b2f(rng.Float64() < sigmoid(dot(want, x)))
		rows = append(rows, example{x: x, y: y, w: 1})
	}
	w := fitLogistic(rows, 3, []float64{0, 1e-3, 1e-3}, nil)
	for i := range want {
		if math.Abs(w[i]-want[i]) > 0.2 {
			t.Errorf("w[%d] = %.3f, want about %.1f", i, w[i], want[i])
		}
	}
}

// TestFitListwise learns to put the answering candidate first.
func TestFitListwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var groups []group
	for range 300 {
		g := group{}
		right := rng.IntN(5)
		for i := range 5 {
			signal := rng.NormFloat64()
			if i == right {
				signal += 2
			}
			g.x = append(g.x, []float64{signal, rng.NormFloat64()}) // a feature that tells, one that does not
			g.pos = append(g.pos, i == right)
		}
		groups = append(groups, g)
	}
	w := fitListwise(groups, 2, 1)
	if w[0] < 1 || math.Abs(w[1]) > 0.3 {
		t.Errorf("weights %v: want the telling feature weighted, the other near zero", w)
	}
}
