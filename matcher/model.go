package matcher

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Model is what the matcher learns from labelled questions (espbot train):
// how much each kind of question term matters, associations between the
// words people type and the words the FAQ uses, which FAQ pages people ask
// about, the weights of the ranking features, and the calibrated
// answer/abstain decision with its thresholds. ParseModel reads it from a
// small text file and WriteTo writes it; DefaultModel is the one shipped.
type Model struct {
	// Comments are provenance lines ("trained on ..."), written as "#" lines.
	Comments []string
	// Terms are the coefficients of the term model (the logit of the chance
	// that an entry answering the question contains the term), by feature
	// name (see termFeatureNames).
	Terms map[string]float64
	// TermBias adjusts that logit for question words seen often enough in
	// training to have a weight of their own ("board", "issue", "ms").
	TermBias map[string]float64
	// Assoc maps a question term to index terms the FAQ uses for the same
	// thing ("hotspot" -> softap), with the weight a match through them gets.
	Assoc map[string][]Association
	// Pages are log-odds offsets per FAQ page (entry category): how much more
	// often people ask about that page's entries than about an average one.
	Pages map[string]float64
	// Ranker are the weights of the ranking features (rankFeatureNames).
	Ranker map[string]float64
	// PostRanker are the ranker's weights for long posts, fitted on
	// questions filed in post templates. Empty: Ranker ranks posts too.
	PostRanker map[string]float64
	// Decision are the coefficients of the answer model (decisionFeatureNames):
	// its output is the probability that the best entry answers the question.
	Decision map[string]float64
	// PostDecision is the answer model of long posts (an issue form, a
	// forum post with its log), fitted on questions filed in post
	// templates: what makes a chat question's best entry right reads
	// differently in a post. Empty: Decision serves posts too.
	PostDecision map[string]float64
	// AnswerThreshold and AutoThreshold are the confidences from which the
	// matcher answers, and from which an un-mentioned question in an auto
	// channel is answered; both chosen by cross-validation.
	AnswerThreshold, AutoThreshold float64
}

// Association is one learned translation of a question term.
type Association struct {
	To     string  // index term (a stem, or a lexicon group)
	Weight float64 // in (0, 1): a match through it counts this much
}

//go:embed data/model.txt
var defaultModelText string

// DefaultModel returns the model shipped with espbot: the output of espbot
// train on the training questions and the whole English esp-faq. It is
// parsed once per process; callers must not modify it.
var DefaultModel = sync.OnceValues(func() (*Model, error) {
	m, err := ParseModel(strings.NewReader(defaultModelText))
	if err != nil {
		return nil, fmt.Errorf("embedded model: %w", err)
	}
	return m, nil
})

// section names of the model file, in the order they are written.
const (
	secTerms      = "terms"
	secTermBias   = "term-bias"
	secAssoc      = "associations"
	secPages      = "pages"
	secRanker     = "ranker"
	secPostRanker = "post-ranker"
	secDecision   = "decision"
	secPost       = "post-decision"
	secThresholds = "thresholds"
)

// modelHeader is the first line of every model file.
const modelHeader = "espbot-matcher-model 1"

// ModelError is a problem of a model file, at a line.
type ModelError struct {
	Line int
	Msg  string
}

func (e *ModelError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func lineError(n int, format string, args ...any) error {
	return &ModelError{Line: n, Msg: fmt.Sprintf(format, args...)}
}

// ParseModel reads a model file. Errors are *ModelError, naming the line.
func ParseModel(r io.Reader) (*Model, error) {
	m := newModel()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	section, n := "", 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case n == 1 && line != modelHeader:
			return nil, lineError(1, "not an espbot model file (want %q first)", modelHeader)
		case n == 1:
			continue
		case line == "":
			continue
		case strings.HasPrefix(line, "#"):
			m.Comments = append(m.Comments, strings.TrimSpace(strings.TrimPrefix(line, "#")))
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			if !slices.Contains([]string{secTerms, secTermBias, secAssoc, secPages, secRanker, secPostRanker, secDecision, secPost, secThresholds}, section) {
				return nil, lineError(n, "unknown section [%s]", section)
			}
			continue
		}
		if err := m.parseLine(section, line); err != nil {
			return nil, lineError(n, "%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	if n == 0 {
		return nil, lineError(1, "empty model file")
	}
	if err := m.validate(); err != nil {
		return nil, lineError(n, "%v", err)
	}
	return m, nil
}

// UntrainedModel is a model that has learned nothing: every weight zero.
// The trainer's index starts from it, so that training needs no valid
// embedded model (one written before a feature was removed is refused).
func UntrainedModel() *Model { return newModel() }

func newModel() *Model {
	return &Model{
		Terms: map[string]float64{}, TermBias: map[string]float64{}, Assoc: map[string][]Association{},
		Pages: map[string]float64{}, Ranker: map[string]float64{}, Decision: map[string]float64{},
		PostRanker: map[string]float64{}, PostDecision: map[string]float64{},
	}
}

// parseLine reads one "VALUE KEY..." line of a section.
func (m *Model) parseLine(section, line string) error {
	val, key, ok := strings.Cut(line, " ")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return fmt.Errorf("want \"VALUE NAME\", got %q", line)
	}
	v, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("bad number %q", val)
	}
	known := func(names []string) error {
		if !slices.Contains(names, key) {
			return fmt.Errorf("unknown feature %q in [%s]", key, section)
		}
		return nil
	}
	switch section {
	case secTerms:
		m.Terms[key] = v
		return known(termFeatureNames[:])
	case secTermBias:
		m.TermBias[key] = v
	case secAssoc:
		from, to, ok := strings.Cut(key, " ")
		if !ok || strings.ContainsRune(to, ' ') || v <= 0 || v >= 1 {
			return fmt.Errorf("want \"WEIGHT FROM TO\" with a weight in (0, 1), got %q", line)
		}
		m.Assoc[from] = append(m.Assoc[from], Association{To: to, Weight: v})
	case secPages:
		m.Pages[key] = v
	case secRanker:
		m.Ranker[key] = v
		return known(rankFeatureNames[:])
	case secPostRanker:
		m.PostRanker[key] = v
		return known(rankFeatureNames[:])
	case secDecision:
		m.Decision[key] = v
		return known(decisionFeatureNames[:])
	case secPost:
		m.PostDecision[key] = v
		return known(decisionFeatureNames[:])
	case secThresholds:
		switch key {
		case "answer":
			m.AnswerThreshold = v
		case "auto":
			m.AutoThreshold = v
		default:
			return fmt.Errorf("unknown threshold %q (want answer or auto)", key)
		}
	default:
		return fmt.Errorf("value outside any [section]")
	}
	return nil
}

func (m *Model) validate() error {
	for _, t := range []float64{m.AnswerThreshold, m.AutoThreshold} {
		if t <= 0 || t >= 1 {
			return fmt.Errorf("thresholds: answer and auto must be in (0, 1), got %.3f and %.3f", m.AnswerThreshold, m.AutoThreshold)
		}
	}
	return nil
}

// WriteTo writes the model in the format ParseModel reads, sorted so that
// the same model always gives the same bytes and retraining diffs well.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	b.WriteString(modelHeader + "\n")
	for _, c := range m.Comments {
		fmt.Fprintf(&b, "# %s\n", c)
	}
	writeNamed := func(sec string, names []string, vals map[string]float64) {
		fmt.Fprintf(&b, "\n[%s]\n", sec)
		for _, k := range names {
			if v, ok := vals[k]; ok {
				fmt.Fprintf(&b, "%s %s\n", num(v), k)
			}
		}
	}
	writeNamed(secTerms, termFeatureNames[:], m.Terms)
	writeNamed(secTermBias, slices.Sorted(maps.Keys(m.TermBias)), m.TermBias)
	fmt.Fprintf(&b, "\n[%s]\n", secAssoc)
	for _, from := range slices.Sorted(maps.Keys(m.Assoc)) {
		for _, a := range m.Assoc[from] {
			fmt.Fprintf(&b, "%s %s %s\n", num(a.Weight), from, a.To)
		}
	}
	writeNamed(secPages, slices.Sorted(maps.Keys(m.Pages)), m.Pages)
	writeNamed(secRanker, rankFeatureNames[:], m.Ranker)
	if len(m.PostRanker) > 0 {
		writeNamed(secPostRanker, rankFeatureNames[:], m.PostRanker)
	}
	writeNamed(secDecision, decisionFeatureNames[:], m.Decision)
	if len(m.PostDecision) > 0 {
		writeNamed(secPost, decisionFeatureNames[:], m.PostDecision)
	}
	fmt.Fprintf(&b, "\n[%s]\n%s answer\n%s auto\n", secThresholds, num(m.AnswerThreshold), num(m.AutoThreshold))
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// num formats a weight with four decimals, enough for every use and short
// enough to diff.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	if s == "-0.0000" {
		s = "0.0000"
	}
	return s
}

// compiled is a Model turned into dense vectors for the hot path.
type compiled struct {
	terms    [numTermFeatures]float64
	termBias map[string]float64
	assoc    map[string][]Association
	ranker   [numRankFeatures]float64
	postRank [numRankFeatures]float64 // the ranker of long posts
	decision [numDecisionFeatures]float64
	post     [numDecisionFeatures]float64 // the decision of long posts
	answer   float64
	auto     float64
}

// rankerOf returns the ranker's weights for a plan: a long post's, or a
// chat question's.
func (c *compiled) rankerOf(p *queryPlan) *[numRankFeatures]float64 {
	if p.post {
		return &c.postRank
	}
	return &c.ranker
}

// decisionOf returns the decision weights for a plan: a long post's, or
// a chat question's.
func (c *compiled) decisionOf(p *queryPlan) *[numDecisionFeatures]float64 {
	if p.post {
		return &c.post
	}
	return &c.decision
}

func compile(m *Model) *compiled {
	c := &compiled{termBias: m.TermBias, assoc: m.Assoc, answer: m.AnswerThreshold, auto: m.AutoThreshold}
	for i, n := range termFeatureNames {
		c.terms[i] = m.Terms[n]
	}
	fill(c.ranker[:], rankFeatureNames[:], m.Ranker, nil)
	fill(c.postRank[:], rankFeatureNames[:], m.PostRanker, m.Ranker)
	fill(c.decision[:], decisionFeatureNames[:], m.Decision, nil)
	fill(c.post[:], decisionFeatureNames[:], m.PostDecision, m.Decision)
	return c
}

// fill sets w to the named weights of vals, or of fallback when vals has
// none (a model without weights of its own for long posts).
func fill(w []float64, names []string, vals, fallback map[string]float64) {
	if len(vals) == 0 {
		vals = fallback
	}
	for i, n := range names {
		w[i] = vals[n]
	}
}
