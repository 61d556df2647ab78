package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/espbot/espbot/matcher"
)

// clusterSimilarity is the Dice coefficient of stems from which a question
// joins a cluster: "ota update fails" and "ota update over https" share 2
// of 3 stems each (0.67) and group, so do "zigbee and wifi coexistence" and
// "esp32 zigbee and wifi at the same time" (2 of 3 and 4, 0.57); "wifi
// scan" and "wifi disconnect" share one of two (0.5) and do not.
const clusterSimilarity = 0.55

// maxExamples is how many distinct questions a cluster shows.
const maxExamples = 3

// questionGroup is one question text and how often it was asked.
type questionGroup struct {
	text  string
	key   string
	count int
	terms []string
}

// Cluster groups similar questions by shared stems, largest
// cluster first. Questions are taken most asked first, and each joins the
// cluster holding the question it resembles most (clusterSimilarity), or
// starts a new one. Comparing with each member, not with a union of their
// stems, keeps clusters from drifting into one. Questions without content terms
// ("hello?") are left out.
func Cluster(a *matcher.TermAnalyzer, texts []string) []Group {
	type building struct {
		leader  []string // the first question's stems
		members []*questionGroup
		count   int
	}
	var cs []*building
	for _, g := range groupQuestions(a, texts) {
		if len(g.terms) == 0 {
			continue
		}
		var best *building
		bestSim := 0.0
		for _, c := range cs {
			for _, m := range c.members {
				if s := dice(m.terms, g.terms); s >= clusterSimilarity && s > bestSim {
					best, bestSim = c, s
				}
			}
		}
		if best == nil {
			best = &building{leader: g.terms}
			cs = append(cs, best)
		}
		best.members = append(best.members, g)
		best.count += g.count
	}
	out := make([]Group, 0, len(cs))
	for _, c := range cs {
		cl := Group{Terms: clusterLabel(c.leader, c.members, c.count), Count: c.count}
		for _, m := range c.members[:min(len(c.members), maxExamples)] {
			cl.Examples = append(cl.Examples, m.text)
		}
		out = append(out, cl)
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(strings.Join(a.Terms, " "), strings.Join(b.Terms, " ")))
	})
	return out
}

// groupQuestions counts identical questions (normalQuestion), most asked
// first, keeping the first wording seen.
func groupQuestions(a *matcher.TermAnalyzer, texts []string) []*questionGroup {
	byKey := map[string]*questionGroup{}
	var gs []*questionGroup
	for _, t := range texts {
		key := normalQuestion(t)
		if g := byKey[key]; g != nil {
			g.count++
			continue
		}
		g := &questionGroup{text: strings.TrimSpace(t), key: key, count: 1, terms: a.Terms(t)}
		byKey[key] = g
		gs = append(gs, g)
	}
	slices.SortStableFunc(gs, func(a, b *questionGroup) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.key, b.key))
	})
	return gs
}

// dice is the Dice coefficient of two term sets: 2|a∩b| / (|a|+|b|).
func dice(a, b []string) float64 {
	shared := 0
	for _, t := range a {
		if slices.Contains(b, t) {
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// clusterLabel is the stems more than half the cluster's questions share,
// most shared first (the leader's order breaks ties), at most four; the
// leader's stems when none is that common.
func clusterLabel(leader []string, members []*questionGroup, total int) []string {
	weight := map[string]int{}
	order := slices.Clone(leader)
	for _, m := range members {
		for _, t := range m.terms {
			if _, ok := weight[t]; !ok && !slices.Contains(order, t) {
				order = append(order, t)
			}
			weight[t] += m.count
		}
	}
	var label []string
	for _, t := range order {
		if 2*weight[t] > total {
			label = append(label, t)
		}
	}
	slices.SortStableFunc(label, func(a, b string) int { return cmp.Compare(weight[b], weight[a]) })
	if len(label) == 0 {
		label = leader
	}
	return label[:min(len(label), 4)]
}
