package knowledge

import (
	"sort"
	"strconv"
)

// minHashLen is the number of hex characters of an ID's hash part when no
// other entry of the same page shares them.
const minHashLen = 4

// assignIDs gives each entry the ID "<slug>-<hash>", the hash being the
// first hex characters of a hash of the normalised title: four, or more
// when another entry of the same slug shares them. Entries are compared in
// hash order, so the IDs do not depend on the order pages were loaded in.
func assignIDs(es []Entry, extra []parsed, slugs []string) {
	type key struct {
		i    int
		hash string
	}
	groups := map[string][]key{}
	for i := range es {
		groups[slugs[i]] = append(groups[slugs[i]], key{i, hex16(fnv64(extra[i].titleKey))})
	}
	for slug, ks := range groups {
		sort.Slice(ks, func(a, b int) bool {
			if ks[a].hash != ks[b].hash {
				return ks[a].hash < ks[b].hash
			}
			sa, sb := es[ks[a].i].Source, es[ks[b].i].Source
			if sa.Path != sb.Path {
				return sa.Path < sb.Path
			}
			return sa.Line < sb.Line
		})
		same := 0
		for k, kk := range ks {
			n := minHashLen
			if k > 0 {
				n = max(n, commonPrefix(kk.hash, ks[k-1].hash)+1)
			}
			if k+1 < len(ks) {
				n = max(n, commonPrefix(kk.hash, ks[k+1].hash)+1)
			}
			id := slug + "-" + kk.hash[:min(n, len(kk.hash))]
			if k > 0 && kk.hash == ks[k-1].hash {
				same++
				id += "-" + strconv.Itoa(same+1)
			} else {
				same = 0
			}
			es[kk.i].ID = id
		}
	}
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// hex16 formats h as 16 hex digits.
func hex16(h uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}
