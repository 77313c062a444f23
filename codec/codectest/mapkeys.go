package codectest

import (
	"fmt"
	"reflect"
)

// entry is one of a map's entries.
type entry struct{ k, v reflect.Value }

// diffUnfound compares the entries of a sent map whose keys the received
// map does not hold by == (want) with the received map's entries that no
// sent key holds by == (got). A key may be equal to several of got's: a
// map holds any number of NaN keys, told apart only by their values. So
// each of want is paired with one of got whose key and value both match,
// each of got used once, and a pairing is sought for all of want at once:
// taking the first match for each in turn could take the one another
// needs, as where a claim lets an empty slice arrive as nil but not the
// reverse.
func (cm comparer) diffUnfound(want, got []entry, path string, mapped bool) string {
	matches := make([][]bool, len(want))
	for i, w := range want {
		matches[i] = make([]bool, len(got))
		for j, g := range got {
			matches[i][j] = cm.diff(w.k, g.k, "", mapped) == "" && cm.diff(w.v, g.v, "", mapped) == ""
		}
	}
	owner := matching(matches, len(got))
	paired := make([]bool, len(want))
	for _, i := range owner {
		if i >= 0 {
			paired[i] = true
		}
	}
	for i, w := range want {
		if paired[i] {
			continue
		}
		at := fmt.Sprintf("%s[%v]", path, show(w.k))
		// Name the value against one of got's left over under an equal key.
		for j, g := range got {
			if owner[j] < 0 && cm.diff(w.k, g.k, "", mapped) == "" {
				return cm.diff(w.v, g.v, at, mapped)
			}
		}
		return cm.differ(at, w.v, reflect.Value{}, "the entry is missing")
	}
	return ""
}

// matching finds a largest pairing of rows with columns, each row to one
// column whose matches[row][column] holds and each column used once, by
// augmenting paths. It returns, for each of the n columns, its row, or -1.
func matching(matches [][]bool, n int) []int {
	owner := make([]int, n)
	for j := range owner {
		owner[j] = -1
	}
	var seen []bool
	var augment func(i int) bool
	augment = func(i int) bool {
		for j, ok := range matches[i] {
			if !ok || seen[j] {
				continue
			}
			seen[j] = true
			if owner[j] < 0 || augment(owner[j]) {
				owner[j] = i
				return true
			}
		}
		return false
	}
	for i := range matches {
		seen = make([]bool, n)
		augment(i)
	}
	return owner
}
