package matcher

import "math"

// Small, deterministic fitting routines for the trainer: L2-regularised
// logistic regression by Newton's method, for models of a few dozen
// features.

// example is one row of a logistic regression: features, label in {0, 1}
// and a weight (how much the row counts).
type example struct {
	x   []float64
	off float64 // a fixed part of the logit
	y   float64
	w   float64
}

// fitLogistic returns the weights minimising the weighted log-loss of the
// examples plus lambda[j]*w[j]^2/2, starting from init (nil: zeros).
func fitLogistic(rows []example, dim int, lambda []float64, init []float64) []float64 {
	w := make([]float64, dim)
	copy(w, init)
	grad := make([]float64, dim)
	hess := make([][]float64, dim)
	for i := range hess {
		hess[i] = make([]float64, dim)
	}
	for iter := 0; iter < 50; iter++ {
		for j := range grad {
			grad[j] = lambda[j] * w[j]
			clear(hess[j])
			hess[j][j] = lambda[j] + 1e-9
		}
		for _, r := range rows {
			p := sigmoid(dot(w, r.x) + r.off)
			g := r.w * (p - r.y)
			h := r.w * max(p*(1-p), 1e-6)
			for j, xj := range r.x {
				if xj == 0 {
					continue
				}
				grad[j] += g * xj
				for k := j; k < dim; k++ {
					hess[j][k] += h * xj * r.x[k]
				}
			}
		}
		for j := range dim {
			for k := 0; k < j; k++ {
				hess[j][k] = hess[k][j]
			}
		}
		step := solve(hess, grad)
		if step == nil {
			break
		}
		change := 0.0
		for j := range w {
			w[j] -= step[j]
			change = math.Max(change, math.Abs(step[j]))
		}
		if change < 1e-7 {
			break
		}
	}
	return w
}

// solve returns x with a*x = b by Gaussian elimination with partial
// pivoting, or nil when a is singular. a and b are not modified.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range m {
		m[i] = append(append(make([]float64, 0, n+1), a[i]...), b[i])
	}
	for col := range n {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[piv][col]) {
				piv = r
			}
		}
		if math.Abs(m[piv][col]) < 1e-12 {
			return nil
		}
		m[col], m[piv] = m[piv], m[col]
		for r := col + 1; r < n; r++ {
			f := m[r][col] / m[col][col]
			if f == 0 {
				continue
			}
			for c := col; c <= n; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for c := r + 1; c < n; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x
}

// fitBias fits one extra logit offset shared by the rows, holding
// everything else fixed: the per-term biases of the term model. offsets are
// the rows' logits without it.
func fitBias(offsets, ys []float64, lambda float64) float64 {
	b := 0.0
	for iter := 0; iter < 30; iter++ {
		g, h := lambda*b, lambda
		for i, o := range offsets {
			p := sigmoid(o + b)
			g += p - ys[i]
			h += max(p*(1-p), 1e-6)
		}
		step := g / h
		b -= step
		if math.Abs(step) < 1e-8 {
			break
		}
	}
	return b
}

// group is one question's candidates for listwise fitting: their features
// and which of them answer it.
type group struct {
	x   [][]float64
	pos []bool
}

// fitListwise returns the linear weights maximising, over the groups, the
// log of the softmax probability of the answering candidates (ListNet's
// top-one likelihood), minus lambda*w^2/2: Newton steps on the covariance
// of the candidates (an upper bound of the Hessian), halved until the loss
// decreases.
func fitListwise(groups []group, dim int, lambda float64) []float64 {
	w := make([]float64, dim)
	loss := listLoss(groups, w, lambda)
	for iter := 0; iter < 100; iter++ {
		grad, hess := listNewton(groups, w, lambda)
		step := solve(hess, grad)
		if step == nil {
			break
		}
		next := make([]float64, dim)
		improved := false
		for shrink := 1.0; shrink > 1e-4; shrink /= 2 {
			for j := range w {
				next[j] = w[j] - shrink*step[j]
			}
			if l := listLoss(groups, next, lambda); l < loss {
				improved = loss-l > 1e-10
				w, loss = next, l
				break
			}
		}
		if !improved {
			break
		}
	}
	return w
}

// softmaxes returns, for one group, the softmax over all candidates and
// the log of the positives' share.
func softmaxes(g group, w []float64) (p []float64, logShare float64) {
	p = make([]float64, len(g.x))
	top := math.Inf(-1)
	for i, x := range g.x {
		p[i] = dot(w, x)
		top = max(top, p[i])
	}
	z, zp := 0.0, 0.0
	for i := range p {
		p[i] = math.Exp(p[i] - top)
		z += p[i]
		if g.pos[i] {
			zp += p[i]
		}
	}
	for i := range p {
		p[i] /= z
	}
	return p, math.Log(zp / z)
}

func listLoss(groups []group, w []float64, lambda float64) float64 {
	l := 0.0
	for _, g := range groups {
		_, ls := softmaxes(g, w)
		l -= ls
	}
	for _, v := range w {
		l += lambda * v * v / 2
	}
	return l
}

func listNewton(groups []group, w []float64, lambda float64) ([]float64, [][]float64) {
	dim := len(w)
	grad := make([]float64, dim)
	hess := make([][]float64, dim)
	for j := range hess {
		hess[j] = make([]float64, dim)
		grad[j] = lambda * w[j]
		hess[j][j] = lambda + 1e-9
	}
	mean := make([]float64, dim)
	meanPos := make([]float64, dim)
	for _, g := range groups {
		p, _ := softmaxes(g, w)
		zp := 0.0
		for i := range p {
			if g.pos[i] {
				zp += p[i]
			}
		}
		clear(mean)
		clear(meanPos)
		for i, x := range g.x {
			axpy(mean, p[i], x)
			if g.pos[i] {
				axpy(meanPos, p[i]/zp, x)
			}
		}
		for j := range dim {
			grad[j] += mean[j] - meanPos[j]
		}
		for i, x := range g.x {
			for j := range dim {
				dj := x[j] - mean[j]
				if dj == 0 {
					continue
				}
				for k := j; k < dim; k++ {
					hess[j][k] += p[i] * dj * (x[k] - mean[k])
				}
			}
		}
	}
	for j := range dim {
		for k := 0; k < j; k++ {
			hess[j][k] = hess[k][j]
		}
	}
	return grad, hess
}
