package config

import "fmt"

// suggest names the setting nearest to key, when one is near enough to be
// a typo of it: `; did you mean "max_rows"?`.
func suggest(key string) string {
	best, dist := "", 3 // at most two edits away
	for _, s := range Settings {
		if d := Distance(key, s.Key); d < dist {
			best, dist = s.Key, d
		}
	}
	if best == "" {
		return "; see `lakegate config --help` for the settings"
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// Distance is the Levenshtein distance of two strings (bytes).
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
