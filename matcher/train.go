package matcher

import (
	"cmp"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"maps"
	"math"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// TrainingQuestion is one labelled question, for Train and CrossValidate.
type TrainingQuestion struct {
	ID   string
	Text string
	// Answers are the IDs of the entries that answer it (equally well);
	// empty when no entry does.
	Answers []string
	// Style says how it is written (casual, symptom, log, scenario, howto,
	// offtopic); optional. An offtopic question must never be answered.
	Style string
}

// TrainOptions tune Train. The zero value is usable.
type TrainOptions struct {
	// Folds is the number of folds, split by entry, whose held-out
	// predictions calibrate the decision and choose the thresholds (0: 5).
	Folds int
	// MaxWrong is the largest share of answerable questions that may be
	// answered with the wrong entry at the answer threshold (0: 0.07).
	MaxWrong float64
	// AutoPrecision is the share of answers that must be right at the auto
	// threshold (0: 0.95).
	AutoPrecision float64
	// Posts are templates of long posts (an issue form, a forum post), each
	// with "{{question}}" where the question goes. The ranker of long posts
	// learns from the questions each filed in one of them, their decision
	// from the held-out questions filed in every one: what tells the right
	// entry reads differently in a post, and a question in a post is less
	// often answered right than alone (nil: the built-in templates,
	// data/posts).
	Posts []string
	// Comments are written at the top of the model file.
	Comments []string
	// Progress, when set, is called after each fitting step with the steps
	// done and the total, for a progress display. It may be called from
	// several goroutines, never at once.
	Progress func(done, total int)
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.MaxWrong == 0 {
		o.MaxWrong = 0.07
	}
	if o.AutoPrecision == 0 {
		o.AutoPrecision = 0.95
	}
	if o.Posts == nil {
		o.Posts = builtinPosts()
	}
	return o
}

// trainQ is a training question with its answers resolved to entries.
type trainQ struct {
	TrainingQuestion
	pos  []int32 // entries that answer it
	unit string  // what folds split by: the first answer, or the question itself
}

func (q *trainQ) answers(doc int32) bool { return slices.Contains(q.pos, doc) }

// Train fits a model on labelled questions over the entries of ix: the
// term model, the associations, the page priors and the ranker on all
// questions; the decision model and its thresholds on predictions for
// questions whose entries were held out (cross-validation split by entry),
// so that its confidence is what it will be on entries nobody asked about,
// each also searched with typos (see withTypos), so that it is what it
// will be when people mistype. The same inputs always give the same model.
func Train(ix *Index, qs []TrainingQuestion, opts TrainOptions) (*Model, error) {
	tq, err := ix.resolve(qs)
	if err != nil {
		return nil, err
	}
	return ix.train(tq, opts.withDefaults()), nil
}

func (ix *Index) train(qs []trainQ, o TrainOptions) *Model {
	folds := splitByEntry(qs, o.Folds)
	pages := ix.pageIndexes(qs)
	rows := make([][]decisionRow, len(folds))
	typos := make([][]decisionRow, len(folds))
	small := make([][]decisionRow, len(folds))
	posts := make([][]decisionRow, len(folds))
	step := o.stepper(len(folds) + 1)
	parallel(len(folds), func(f int) {
		m := ix.fitStages(others(qs, folds, f), o.Posts...)
		rows[f] = ix.withModel(m).decisionRows(folds[f])
		typos[f] = ix.withModel(m).decisionRows(typoCopies(folds[f]))
		for i := range typos[f] {
			typos[f][i].typos = true
		}
		small[f] = ix.withModel(m).pageRows(pages, m, folds[f])
		long := filedAll(folds[f], o.Posts)
		posts[f] = append(ix.withModel(m).decisionRows(long), ix.withModel(m).pageRows(pages, m, long)...)
		step()
	})
	all := slices.Concat(rows...)
	m := ix.fitStages(qs, o.Posts...)
	step()
	m.Decision = fitDecision(slices.Concat(all, slices.Concat(typos...), slices.Concat(small...)))
	if len(o.Posts) > 0 {
		m.PostDecision = fitDecision(slices.Concat(posts...))
	}
	// the thresholds are chosen on the questions as asked; no off-topic
	// line may be answered with typos either
	m.AnswerThreshold, m.AutoThreshold = chooseThresholds(all, offtopic(slices.Concat(typos...)), m.Decision, o)
	m.Comments = append(slices.Clone(o.Comments), fmt.Sprintf(
		"%d questions (%d answerable) over %d entries; %d terms with a weight, %d associations",
		len(qs), countAnswerable(qs), len(ix.entries), len(m.TermBias), countAssoc(m)))
	return m
}

// filedAll returns the questions each filed in every post template: the
// decision of long posts, fitted on them, sees each off-topic line and
// each unanswerable question in every kind of post (one template each
// left it answering a few off-topic lines filed in the others).
func filedAll(qs []trainQ, posts []string) []trainQ {
	out := make([]trainQ, 0, len(qs)*len(posts))
	for _, post := range posts {
		for _, q := range qs {
			q.Text = FileInPost(post, q.Text)
			out = append(out, q)
		}
	}
	return out
}

// filed returns the questions each filed in one of the post templates,
// chosen by its ID, or nothing without templates.
func filed(qs []trainQ, posts []string) []trainQ {
	if len(posts) == 0 {
		return nil
	}
	out := make([]trainQ, len(qs))
	for i, q := range qs {
		post := posts[hash(q.ID)%uint32(len(posts))]
		out[i] = q
		out[i].Text = FileInPost(post, q.Text)
	}
	return out
}

//go:embed data/posts/*.md
var postFiles embed.FS

// PostTemplate is a long post as people file them (an issue form, a forum
// post with its set-up and log), with "{{question}}" where the question
// goes: the ranker and decision of long posts learn from questions filed
// in such templates, and cross-validation measures them there.
type PostTemplate struct {
	Name string // its file name without ".md": "esp-idf-form"
	Text string
}

// PostTemplates returns the built-in post templates (data/posts), in file
// name order.
func PostTemplates() []PostTemplate {
	names, err := fs.Glob(postFiles, "data/posts/*.md")
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	out := make([]PostTemplate, len(names))
	for i, n := range names {
		b, err := postFiles.ReadFile(n)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		out[i] = PostTemplate{Name: strings.TrimSuffix(path.Base(n), ".md"), Text: string(b)}
	}
	return out
}

// builtinPosts returns the texts of the built-in post templates.
func builtinPosts() []string {
	var out []string
	for _, t := range PostTemplates() {
		out = append(out, t.Text)
	}
	return out
}

// FileInPost returns question filed in a post template.
func FileInPost(template, question string) string {
	return strings.ReplaceAll(template, postQuestion, question)
}

// postQuestion marks where a post template takes its question.
const postQuestion = "{{question}}"

// stepper returns a function that counts one step of total and reports it
// to o.Progress.
func (o TrainOptions) stepper(total int) func() {
	var mu sync.Mutex
	done := 0
	return func() {
		if o.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		o.Progress(done, total)
	}
}

// resolve maps answer IDs to entries; an unknown ID is an error.
func (ix *Index) resolve(qs []TrainingQuestion) ([]trainQ, error) {
	out := make([]trainQ, 0, len(qs))
	for _, q := range qs {
		t := trainQ{TrainingQuestion: q, unit: "q:" + q.ID + "\x00" + q.Text}
		for _, id := range q.Answers {
			d, ok := ix.byID[id]
			if !ok {
				return nil, fmt.Errorf("question %s: no entry %q", q.ID, id)
			}
			t.pos = append(t.pos, int32(d))
		}
		if len(q.Answers) > 0 {
			t.unit = "e:" + q.Answers[0]
		}
		out = append(out, t)
	}
	return out, nil
}

// splitByEntry puts the questions into k folds so that all questions of an
// entry are in one fold: a fold's entries are never seen in training, as
// the entries nobody has asked about yet. Questions no entry answers are
// spread over the folds too. Units are dealt in order of a hash of their
// name, so folds are balanced and the same for the same questions.
func splitByEntry(qs []trainQ, k int) [][]trainQ {
	units := map[string][]trainQ{}
	for _, q := range qs {
		units[q.unit] = append(units[q.unit], q)
	}
	keys := slices.Collect(maps.Keys(units))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(hash(a), hash(b)), cmp.Compare(a, b)) })
	folds := make([][]trainQ, k)
	for i, key := range keys {
		folds[i%k] = append(folds[i%k], units[key]...)
	}
	return folds
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// others returns the questions of every fold but f.
func others(qs []trainQ, folds [][]trainQ, f int) []trainQ {
	out := make([]trainQ, 0, len(qs))
	for i, fold := range folds {
		if i != f {
			out = append(out, fold...)
		}
	}
	return out
}

// parallel runs fn(0..n-1) on at most GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

func countAnswerable(qs []trainQ) int {
	n := 0
	for _, q := range qs {
		if len(q.pos) > 0 {
			n++
		}
	}
	return n
}

func countAssoc(m *Model) int {
	n := 0
	for _, as := range m.Assoc {
		n += len(as)
	}
	return n
}

// fitStages fits everything but the decision: page priors, the term
// model, associations and the ranker, and, given post templates, the
// ranker of long posts.
//
// The term model and the ranker learn from questions searched with
// associations learned without those questions' entries: associations
// learned from a question always fire for it, and a ranker fitted on that
// would trust them far more than they deserve on a new entry.
func (ix *Index) fitStages(qs []trainQ, posts ...string) *Model {
	m := newModel()
	m.Pages = ix.fitPages(qs)
	folds := ix.heldOutAssoc(qs)
	m.Terms, m.TermBias = ix.fitTerms(folds)
	m.Ranker = ix.fitRanker(folds, m, nil)
	if len(posts) > 0 {
		m.PostRanker = ix.fitRanker(folds, m, posts)
	}
	m.Assoc = ix.fitAssoc(qs)
	return m
}

// assocFold is a fold of questions with the associations learned from the
// other folds.
type assocFold struct {
	qs    []trainQ
	assoc map[string][]Association
}

// assocFolds is how many folds heldOutAssoc splits the questions into.
const assocFolds = 5

func (ix *Index) heldOutAssoc(qs []trainQ) []assocFold {
	folds := splitByEntry(qs, assocFolds)
	out := make([]assocFold, len(folds))
	for f := range folds {
		out[f] = assocFold{qs: folds[f], assoc: ix.fitAssoc(others(qs, folds, f))}
	}
	return out
}

// Page priors: the log of how much more often people ask about a page's
// entries than about the entries of the page of a typical answer, smoothed
// so that a page with few questions is not ruled out.
const pageSmoothing = 1.0

func (ix *Index) fitPages(qs []trainQ) map[string]float64 {
	entries := map[string]int{}
	for _, e := range ix.entries {
		entries[e.Category]++
	}
	asked := map[string]float64{}
	total := 0.0
	for _, q := range qs {
		for _, d := range q.pos {
			asked[ix.entries[d].Category] += 1 / float64(len(q.pos))
		}
		if len(q.pos) > 0 {
			total++
		}
	}
	mean := (total + pageSmoothing*float64(len(entries))) / float64(len(ix.entries))
	out := map[string]float64{}
	for c, n := range entries {
		out[c] = math.Log((asked[c] + pageSmoothing) / float64(n) / mean)
	}
	// the page of a typical answer is the zero, as is a page the model
	// does not know: a knowledge base of other pages gets no prior at all
	ref := 0.0
	for _, c := range slices.Sorted(maps.Keys(asked)) {
		ref += asked[c] / total * out[c]
	}
	for c := range out {
		out[c] = round3(out[c] - ref)
	}
	return out
}
