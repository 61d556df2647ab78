package matcher

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Latent semantic analysis (Deerwester et al. 1990) of the knowledge base:
// a truncated SVD of the term-entry matrix, so that a question and an entry
// that use different words of the same topic ("TX output as low as
// practical", "adjust Wi-Fi TX power") still come out close. It is computed
// at index build from the entries alone (randomised subspace iteration,
// Halko, Martinsson and Tropp 2011, with a fixed seed, so the same entries
// always give the same vectors) and enters the ranker as one feature.
const (
	lsaDims   = 48 // dimensions kept
	lsaExtra  = 8  // oversampling of the random subspace
	lsaPower  = 1  // power iterations
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
	// column norms: each entry counts the same, however long it is
	norm := make([]float64, nDocs)
	var rows []int32
	for t, ps := range postings {
		if len(ps) < lsaMinDF {
			continue
		}
		rows = append(rows, int32(t))
		for _, p := range ps {
			v := idf[t] * float64(p.sat)
			norm[p.doc] += v * v
		}
	}
	for d := range norm {
		norm[d] = 1 / math.Sqrt(max(norm[d], 1e-12))
	}
	val := func(t int32, p posting) float64 { return idf[t] * float64(p.sat) * norm[p.doc] }
	// Y = A * Omega, Omega random nDocs x k
	rng := rand.New(rand.NewPCG(lsaSeed, lsaSeed))
	omega := make([]float64, nDocs*k)
	for i := range omega {
		omega[i] = rng.NormFloat64()
	}
	times := func(z []float64) []float64 { // A * z, z nDocs x k -> rows x k
		y := make([]float64, len(rows)*k)
		for i, t := range rows {
			yi := y[i*k : (i+1)*k]
			for _, p := range postings[t] {
				axpy(yi, val(t, p), z[int(p.doc)*k:(int(p.doc)+1)*k])
			}
		}
		return y
	}
	timesT := func(y []float64) []float64 { // A^T * y, rows x k -> nDocs x k
		z := make([]float64, nDocs*k)
		for i, t := range rows {
			yi := y[i*k : (i+1)*k]
			for _, p := range postings[t] {
				axpy(z[int(p.doc)*k:(int(p.doc)+1)*k], val(t, p), yi)
			}
		}
		return z
	}
	q := orthonormalize(times(omega), k)
	for range lsaPower {
		z := orthonormalize(timesT(q), k)
		q = orthonormalize(times(z), k)
	}
	z := timesT(q) // B^T, nDocs x k
	w, _ := eigenSym(gram(z, k), k)
	sp := &semSpace{dims: dims, inSpace: make([]bool, len(postings)), termVec: make([]float32, len(postings)*dims), docVec: make([]float32, nDocs*dims)}
	for i, t := range rows {
		sp.inSpace[t] = true
		project(sp.termVec[int(t)*dims:(int(t)+1)*dims], q[i*k:(i+1)*k], w, k)
	}
	for d := range nDocs {
		v := sp.docVec[d*dims : (d+1)*dims]
		project(v, z[d*k:(d+1)*k], w, k)
		normalize32(v)
	}
	return sp
}

func axpy(y []float64, a float64, x []float64) {
	for i := range y {
		y[i] += a * x[i]
	}
}

// orthonormalize makes the k columns of m (row-major, k wide) orthonormal
// by modified Gram-Schmidt, in place.
func orthonormalize(m []float64, k int) []float64 {
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

// gram returns z^T z (k x k) for z row-major, k wide.
func gram(z []float64, k int) []float64 {
	g := make([]float64, k*k)
	for r := 0; r < len(z); r += k {
		row := z[r : r+k]
		for i, a := range row {
			if a == 0 {
				continue
			}
			axpy(g[i*k:(i+1)*k], a, row)
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
