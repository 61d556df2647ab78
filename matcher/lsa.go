package matcher

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Latent semantic analysis (Deerwester et al. 1990) of the knowledge base:
// a truncated SVD of the term-entry matrix, so that a question and an entry
// that use different words of the same topic ("TX output as low as
// practical", "adjust Wi-Fi TX power") still come out close. It is computed
// at index build from the entries alone (randomised subspace iteration,
// Halko, Martinsson and Tropp 2011, with a fixed seed, so the same entries
// always give the same vectors) and enters the ranker as one feature.
const (
	lsaDims   = 32 // dimensions kept
	lsaExtra  = 8  // oversampling of the random subspace
	lsaPower  = 2  // power iterations
	lsaMinDF  = 2  // a term must be in this many entries to shape the space
	lsaSeed   = 0x5eed
	lsaMinLen = 8 // knowledge bases smaller than this get no space
)

// semSpace holds the term and entry vectors, dims float32 each, row after
// row. A small knowledge base gets fewer dimensions: at most a third of its
// entries.
type semSpace struct {
	dims    int
	inSpace []bool    // per term ID: it shaped the space
	termVec []float32 // per term ID; zero rows for terms left out
	docVec  []float32 // per entry, unit length
}

// buildSemSpace computes the space from the postings.
func buildSemSpace(postings [][]posting, idf []float64, nDocs int) *semSpace {
	if nDocs < lsaMinLen {
		return nil
	}
	dims := min(lsaDims, nDocs/3)
	k := min(dims+lsaExtra, nDocs)
	a := newTermMatrix(postings, idf, nDocs)
	// a basis Z of the entries' side, by subspace iteration from a random
	// start: every orthonormalisation is over the entries (few rows), and
	// only the last product is over the terms
	rng := rand.New(rand.NewPCG(lsaSeed, lsaSeed))
	z := make([]float64, nDocs*k)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	z = orthonormalize(z, k)
	for range lsaPower {
		z = orthonormalize(a.timesT(a.times(z, k), k), k)
	}
	// A ~ (A Z) Z^T; with A Z = U S W^T, A ~ U S (Z W)^T: terms fold
	// through U = (A Z) W / S, and an entry's vector is S times its row of
	// Z W, that is its row of (A^T U)
	b := a.times(z, k)
	w, sv := eigenSym(gram(b, k), k)
	for c := range k {
		if sv[c] > 0 {
			for r := range k {
				w[r*k+c] /= sv[c]
			}
		}
	}
	sp := &semSpace{dims: dims, inSpace: make([]bool, len(postings)), termVec: make([]float32, len(postings)*dims), docVec: make([]float32, nDocs*dims)}
	u := make([]float64, len(a.terms)*k)
	for i, t := range a.terms {
		sp.inSpace[t] = true
		project(sp.termVec[int(t)*dims:(int(t)+1)*dims], b[i*k:(i+1)*k], w, k)
		for c := range dims {
			u[i*k+c] = float64(sp.termVec[int(t)*dims+c])
		}
	}
	docs := a.timesT(u, k)
	for d := range nDocs {
		v := sp.docVec[d*dims : (d+1)*dims]
		for c := range dims {
			v[c] = float32(docs[d*k+c])
		}
		normalize32(v)
	}
	return sp
}

// termMatrix is the term-entry matrix of the terms in at least lsaMinDF
// entries (idf times the saturated frequency, each entry's column of unit
// length), stored by term and by entry so that both products read it in
// order and split over the cores.
type termMatrix struct {
	terms  []int32 // the row's term ID
	byTerm [][]cell
	byDoc  [][]cell // cell.at is the row
}

type cell struct {
	at int32
	v  float64
}

func newTermMatrix(postings [][]posting, idf []float64, nDocs int) *termMatrix {
	a := &termMatrix{byDoc: make([][]cell, nDocs)}
	norm := make([]float64, nDocs)
	for t, ps := range postings {
		if len(ps) < lsaMinDF {
			continue
		}
		for _, p := range ps {
			v := idf[t] * float64(p.sat)
			norm[p.doc] += v * v
		}
		a.terms = append(a.terms, int32(t))
	}
	for d := range norm {
		norm[d] = 1 / math.Sqrt(max(norm[d], 1e-12))
	}
	a.byTerm = make([][]cell, len(a.terms))
	for i, t := range a.terms {
		row := make([]cell, len(postings[t]))
		for j, p := range postings[t] {
			v := idf[t] * float64(p.sat) * norm[p.doc]
			row[j] = cell{at: p.doc, v: v}
			a.byDoc[p.doc] = append(a.byDoc[p.doc], cell{at: int32(i), v: v})
		}
		a.byTerm[i] = row
	}
	return a
}

// times returns A*z (rows x k) for z (entries x k), row-major.
func (a *termMatrix) times(z []float64, k int) []float64 {
	return product(a.byTerm, z, k)
}

// timesT returns A^T*y (entries x k) for y (rows x k).
func (a *termMatrix) timesT(y []float64, k int) []float64 {
	return product(a.byDoc, y, k)
}

// product returns the rows of m (sparse) times x (k wide), output rows
// split over the cores: each is written by one goroutine, so the result is
// the same whatever the scheduling.
func product(m [][]cell, x []float64, k int) []float64 {
	out := make([]float64, len(m)*k)
	split(len(m), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			oi := out[i*k : (i+1)*k]
			for _, c := range m[i] {
				axpy(oi, c.v, x[int(c.at)*k:(int(c.at)+1)*k])
			}
		}
	})
	return out
}

// split runs fn over [0, n) cut into parts(n) ranges, one goroutine each;
// part is the range's number.
func split(n int, fn func(part, lo, hi int)) {
	parts := splitParts(n)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() { fn(p, n*p/parts, n*(p+1)/parts) })
	}
	wg.Wait()
}

// splitParts is how many ranges split cuts n rows into: up to eight, none
// smaller than 256 rows. It does not depend on the number of cores, so
// that sums over the parts, and the model trained on them, are the same on
// every machine.
func splitParts(n int) int { return max(1, min(8, n/256)) }

// axpy adds a*x to y, four elements a step: the index build spends a
// sixth of its time here (k = 40 wide), and the unrolled loop with its
// bounds checked once runs about twice as fast. Each element gets the
// same single multiply-add as before, so the results do not change.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		y4, x4 := y[i:i+4:i+4], x[i:i+4:i+4]
		y4[0] += a * x4[0]
		y4[1] += a * x4[1]
		y4[2] += a * x4[2]
		y4[3] += a * x4[3]
	}
	for ; i < len(y); i++ {
		y[i] += a * x[i]
	}
}

// orthonormalize makes the k columns of m (row-major, k wide) orthonormal,
// in place: Cholesky QR twice (CholeskyQR2), which reads the matrix row by
// row, or modified Gram-Schmidt when the columns are too close to
// dependent for a Cholesky factor.
func orthonormalize(m []float64, k int) []float64 {
	for range 2 {
		r, ok := cholesky(gram(m, k), k)
		if !ok {
			return gramSchmidt(m, k)
		}
		split(len(m)/k, func(_, lo, hi int) {
			for off := lo * k; off < hi*k; off += k {
				row := m[off : off+k]
				for j := range k { // solve x*R = row, R upper triangular
					x := row[j]
					for i := range j {
						x -= row[i] * r[i*k+j]
					}
					row[j] = x / r[j*k+j]
				}
			}
		})
	}
	return m
}

// cholesky returns the upper triangular R with R^T R = g, or false when g
// is not (numerically) positive definite.
func cholesky(g []float64, k int) ([]float64, bool) {
	r := make([]float64, k*k)
	for j := range k {
		d := g[j*k+j]
		for i := range j {
			d -= r[i*k+j] * r[i*k+j]
		}
		if d <= 1e-12*max(g[j*k+j], 1e-300) {
			return nil, false
		}
		r[j*k+j] = math.Sqrt(d)
		for c := j + 1; c < k; c++ {
			v := g[j*k+c]
			for i := range j {
				v -= r[i*k+j] * r[i*k+c]
			}
			r[j*k+c] = v / r[j*k+j]
		}
	}
	return r, true
}

// gramSchmidt orthonormalizes the columns by modified Gram-Schmidt.
func gramSchmidt(m []float64, k int) []float64 {
	n := len(m) / k
	for j := range k {
		for i := range j {
			d := 0.0
			for r := range n {
				d += m[r*k+i] * m[r*k+j]
			}
			for r := range n {
				m[r*k+j] -= d * m[r*k+i]
			}
		}
		l := 0.0
		for r := range n {
			l += m[r*k+j] * m[r*k+j]
		}
		l = 1 / math.Sqrt(max(l, 1e-300))
		for r := range n {
			m[r*k+j] *= l
		}
	}
	return m
}

// gram returns z^T z (k x k) for z row-major, k wide: the upper triangle
// summed row by row, then mirrored.
func gram(z []float64, k int) []float64 {
	n := len(z) / k
	partial := make([][]float64, splitParts(n))
	split(n, func(part, lo, hi int) {
		g := make([]float64, k*k)
		for r := lo * k; r < hi*k; r += k {
			row := z[r : r+k]
			for i, a := range row {
				if a == 0 {
					continue
				}
				axpy(g[i*k+i:(i+1)*k], a, row[i:])
			}
		}
		partial[part] = g
	})
	g := partial[0]
	for _, p := range partial[1:] {
		for i := range g {
			g[i] += p[i]
		}
	}
	for i := range k {
		for j := range i {
			g[i*k+j] = g[j*k+i]
		}
	}
	return g
}

// eigenSym returns the eigenvectors (as columns of a k x k row-major
// matrix) of the symmetric matrix g, sorted by decreasing eigenvalue, and
// the square roots of the eigenvalues (the singular values), by cyclic
// Jacobi rotations.
func eigenSym(g []float64, k int) ([]float64, []float64) {
	a := slices.Clone(g)
	v := make([]float64, k*k)
	for i := range k {
		v[i*k+i] = 1
	}
	for sweep := 0; sweep < 60; sweep++ {
		off := 0.0
		for i := range k {
			for j := i + 1; j < k; j++ {
				off += a[i*k+j] * a[i*k+j]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := range k {
			for q := p + 1; q < k; q++ {
				apq := a[p*k+q]
				if math.Abs(apq) < 1e-300 {
					continue
				}
				theta := (a[q*k+q] - a[p*k+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for r := range k {
					arp, arq := a[r*k+p], a[r*k+q]
					a[r*k+p], a[r*k+q] = c*arp-s*arq, s*arp+c*arq
				}
				for r := range k {
					apr, aqr := a[p*k+r], a[q*k+r]
					a[p*k+r], a[q*k+r] = c*apr-s*aqr, s*apr+c*aqr
				}
				for r := range k {
					vrp, vrq := v[r*k+p], v[r*k+q]
					v[r*k+p], v[r*k+q] = c*vrp-s*vrq, s*vrp+c*vrq
				}
			}
		}
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch ex, ey := a[x*k+x], a[y*k+y]; {
		case ex > ey:
			return -1
		case ex < ey:
			return 1
		}
		return 0
	})
	vecs := make([]float64, k*k)
	sv := make([]float64, k)
	for c, o := range order {
		sv[c] = math.Sqrt(max(a[o*k+o], 0))
		for r := range k {
			vecs[r*k+c] = v[r*k+o]
		}
	}
	return vecs, sv
}

// project writes the first len(dst) coordinates of row*w into dst.
func project(dst []float32, row, w []float64, k int) {
	for c := range dst {
		x := 0.0
		for r := range k {
			x += row[r] * w[r*k+c]
		}
		dst[c] = float32(x)
	}
}

func normalize32(v []float32) {
	l := 0.0
	for _, x := range v {
		l += float64(x) * float64(x)
	}
	if l == 0 {
		return
	}
	f := float32(1 / math.Sqrt(l))
	for i := range v {
		v[i] *= f
	}
}

// similarity is the cosine between the question's vector q (not
// normalised) and entry d's.
func (sp *semSpace) similarity(q []float32, qnorm float64, d int32) float64 {
	if sp == nil || qnorm == 0 {
		return 0
	}
	v := sp.docVec[int(d)*sp.dims : (int(d)+1)*sp.dims]
	x := float32(0)
	for i := range v {
		x += q[i] * v[i]
	}
	return float64(x) / qnorm
}

// queryVector folds a plan into the space: for each concept, the vector of
// its first alternative in the space (the word, else its synonym group or
// correction), weighted by importance. q has room for lsaDims; the space's
// dims are used.
func (ix *Index) queryVector(p *queryPlan, q []float32) float64 {
	sp := ix.sem
	if sp == nil {
		return 0
	}
	q = q[:sp.dims]
	clear(q)
	for i := range p.concepts {
		c := &p.concepts[i]
		for _, a := range c.alts {
			if a.id < 0 || a.kind == altAssoc || !sp.inSpace[a.id] {
				continue
			}
			w := float32(c.importance * a.w)
			v := sp.termVec[int(a.id)*sp.dims : (int(a.id)+1)*sp.dims]
			for j := range q {
				q[j] += w * v[j]
			}
			break
		}
	}
	l := 0.0
	for _, x := range q {
		l += float64(x) * float64(x)
	}
	return math.Sqrt(l)
}
