package matcher

import "slices"

// CVOutcome is what a cross-validated model answered to one question.
type CVOutcome struct {
	Question TrainingQuestion
	// Fold is the fold the question was held out in.
	Fold int
	// Result is the search with the model trained on the other folds.
	Result Result
	// Posts are the searches, with the same model, of the question filed
	// in each post template (TrainOptions.Posts, or the built-in ones), in
	// their order: long posts have a ranker and a decision of their own.
	Posts []Result
	// Typos is the search, with the same model, of the question with typos
	// in about a quarter of its longer typed words (see CVTypoRate): how
	// far people's typing costs answers.
	Typos Result
	// Setup is the search, with the same model, of the question with a
	// note of the asker's set-up after it (cvSetupNotes): how far saying
	// what one works with costs answers, or answers what nobody asked.
	Setup Result
	// Intro is the search, with the same model, of the question after a
	// sentence introducing the asker (cvIntroductions): how far saying who
	// one is costs answers, or answers what nobody asked.
	Intro Result
	// Remark is the search, with the same model, of the question with a
	// remark on the message around it (cvRemarks): an addendum, an
	// apology, a handle or a link, as chat messages have.
	Remark Result
}

// cvSetupNotes are the notes of set-up CrossValidate adds to questions,
// one each, as people do ("... (esp-idf v5.1.2)"). The trainer adds none,
// so the figure is not of its own making.
var cvSetupNotes = [...]string{
	" (esp-idf v5.1.2)", " using arduino ide", " on idf 4.4", ", arduino core 2.0.14", " (platformio, esp-idf 5.0)",
}

// cvIntroductions are the sentences introducing the asker that
// CrossValidate puts before questions, one each, as people open a first
// message. The trainer adds none.
var cvIntroductions = [...]string{
	"Hello everyone, I'm a student and new to ESP-IDF. ", "Long time lurker, first post. ",
	"Total beginner with microcontrollers here. ", "Working on my thesis project with an ESP32-C3. ",
	"Hi! Hobbyist here, sorry for my English. ",
}

// cvRemarks are the remarks on the message CrossValidate puts around
// questions, one each, before and after: an addendum ("EDIT: ..."), an
// apology, a handle, a link. None is a phrasing the plan's rules were written
// from, and the trainer adds none.
var cvRemarks = [...]struct{ before, after string }{
	{"", "\n\nEDIT: same thing happens with a second board."},
	{"", "\nUpdate: tried another power supply, no change."},
	{"", " PS: please keep it simple, I'm not an expert."},
	{"Been going around in circles with this, ", ""},
	{"Sorry if this was answered somewhere already, ", ""},
	{"@support ", ""},
	{"", " (I read https://docs.espressif.com/projects/esp-idf/en/latest/esp32/api-guides/wifi.html already)"},
}

// CrossValidate measures training honestly: it splits the questions into k
// folds by entry (all questions of an entry in one fold), trains on all
// folds but one, and searches the held-out fold's questions with that
// model, so every question is answered by a model that never saw its
// entry; it also searches each question filed in each post template, with
// typos, with a set-up note, after an introduction and with a remark.
// Outcomes are in the order of qs.
func CrossValidate(ix *Index, qs []TrainingQuestion, k int, opts TrainOptions) ([]CVOutcome, error) {
	tq, err := ix.resolve(qs)
	if err != nil {
		return nil, err
	}
	order := map[string][]int{}
	for i, q := range qs {
		key := q.ID + "\x00" + q.Text
		order[key] = append(order[key], i)
	}
	o := opts.withDefaults()
	folds := splitByEntry(tq, max(k, 2))
	out := make([]CVOutcome, len(qs))
	models := make([]*Index, len(folds))
	inner, step := o, o.stepper(len(folds))
	inner.Progress = nil
	for f := range folds {
		models[f] = ix.withModel(ix.train(others(tq, folds, f), inner))
		step()
	}
	// each question's place in qs first, then the searches, fold by fold
	// at once
	at := make([][]int, len(folds))
	for f, fold := range folds {
		for _, q := range fold {
			key := q.ID + "\x00" + q.Text
			at[f] = append(at[f], order[key][0])
			order[key] = slices.Delete(order[key], 0, 1)
		}
	}
	parallel(len(folds), func(f int) {
		for j, q := range folds[f] {
			r := CVOutcome{Question: q.TrainingQuestion, Fold: f, Result: models[f].Search(q.Text)}
			for _, post := range o.Posts {
				r.Posts = append(r.Posts, models[f].Search(FileInPost(post, q.Text)))
			}
			typed, _ := withTypos(q.Text, uint64(hash(q.Text))<<32|uint64(hash("cv:"+q.ID)), CVTypoRate)
			r.Typos = models[f].Search(typed)
			r.Setup = models[f].Search(q.Text + pick(cvSetupNotes[:], "setup:"+q.ID))
			r.Intro = models[f].Search(pick(cvIntroductions[:], "intro:"+q.ID) + q.Text)
			rm := pick(cvRemarks[:], "remark:"+q.ID)
			r.Remark = models[f].Search(rm.before + q.Text + rm.after)
			out[at[f][j]] = r
		}
	})
	return out, nil
}

// pick returns the element of xs that key chooses, the same each run.
func pick[T any](xs []T, key string) T { return xs[hash(key)%uint32(len(xs))] }
