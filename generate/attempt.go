package generate

import (
	"math"
	"math/rand/v2"
)

// Attempt model. The values are tuned so that the output resembles the real
// file: mean score about 0.62, median duration about 6 minutes.
const (
	maxQuestions   = 20
	scoreBias      = 1.0   // logit shift giving a mean score of about 0.62
	abilitySpread  = 1.1   // sd of a user's ability in logits
	skipRate       = 0.02  // questions left unanswered in a finished attempt
	abandonRate    = 0.04  // attempts whose last questions are all unanswered
	missedSomeRate = 0.4   // wrong answers on multi-select questions that are a strict subset of the key
	revealRate     = 0.3   // attempts whose wrong options carry "correct":false
	tinyRate       = 0.02  // attempts clicked through in a second or two per question
	breakRate      = 0.03  // attempts with a long pause (the user went away)
	paceMedianMs   = 90000 // median thinking time per question
	maxBreakMs     = 6 * 3600 * 1000
)

// user_result values.
const (
	resCorrect uint8 = iota
	resIncorrect
	resMissedSome
	resIncomplete
)

var resultNames = [...]string{"correct", "incorrect", "missed_some", "incomplete"}

// questionCounts is the distribution of questions per attempt: mostly 4 or
// 5, the rest spread over 1..20 with a decaying tail. Weights in percent.
var questionCounts = [maxQuestions + 1]float64{
	1: 1.5, 2: 2, 3: 3, 4: 45, 5: 35, 6: 3.5, 7: 2, 8: 1.5, 9: 1, 10: 1.5,
	11: 0.4, 12: 0.6, 13: 0.3, 14: 0.3, 15: 0.9, 16: 0.3, 17: 0.2, 18: 0.2, 19: 0.2, 20: 0.6,
}

// hourWeights is the daily rhythm of started_at (UTC hours): quiet nights,
// busy working hours in the Americas and Europe.
var hourWeights = [24]float64{
	2, 1.5, 1, 1, 1, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2.5,
}

// qplan is one asked question and the user's answer to it.
type qplan struct {
	q       *question
	checked uint8 // options checked, bit i for q.opts[i]
	noAt    uint8 // checked options whose "at" is missing
	result  uint8
	at      [6]int64 // ms since the epoch of each checked option
}

// attempt is the plan of one record, computed before it is encoded because
// the keen timestamp written first depends on the last answer.
type attempt struct {
	v             *version
	startMs       int64
	keenUs        int64
	n             int
	reveal        bool
	missingCounts bool
	qs            [maxQuestions]qplan
	order         [maxBank]int // scratch for drawing questions without replacement
}

// cumulative turns weights into a cumulative distribution ending at 1.
func cumulative(w []float64) []float64 {
	var sum float64
	for _, x := range w {
		sum += x
	}
	out := make([]float64, len(w))
	acc := 0.0
	for i, x := range w {
		acc += x / sum
		out[i] = acc
	}
	out[len(out)-1] = 1
	return out
}

// draw returns the index i with cum[i-1] <= u < cum[i] (linear: short tables).
func draw(cum []float64, u float64) int {
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

var (
	questionCum = cumulative(questionCounts[:])
	hourCum     = cumulative(hourWeights[:])
)

// startTime draws started_at: a UTC day (weekends quieter), an hour by the
// daily rhythm, then a uniform instant within that hour. Days count from
// the UTC midnight before windowMs; an instant that falls before windowMs
// (a Start that is not midnight) moves WindowDays later, which keeps it in
// the window and keeps the rhythm on UTC hours.
func startTime(rng *rand.Rand, windowMs int64) int64 {
	const dayMs, window = 86_400_000, WindowDays * 86_400_000
	midnight := windowMs - windowMs%dayMs
	for {
		t := midnight + rng.Int64N(WindowDays)*dayMs +
			int64(draw(hourCum, rng.Float64()))*3_600_000 + rng.Int64N(3_600_000)
		if t < windowMs {
			t += window
		}
		wd := (t/dayMs + 4) % 7 // 0 = Sunday (1970-01-01 was a Thursday)
		if (wd != 0 && wd != 6) || rng.Float64() < 0.6 {
			return t
		}
	}
}

// plan fills a with a new attempt on exam v.
func (a *attempt) plan(rng *rand.Rand, v *version, windowMs int64) {
	a.v = v
	a.startMs = startTime(rng, windowMs)
	a.n = min(draw(questionCum, rng.Float64()), len(v.bank))
	a.reveal = rng.Float64() < revealRate
	a.missingCounts = rng.Float64() < MissingCountsRate
	for i := range v.bank {
		a.order[i] = i
	}
	for i := 0; i < a.n; i++ { // partial Fisher-Yates over the bank
		j := i + rng.IntN(len(v.bank)-i)
		a.order[i], a.order[j] = a.order[j], a.order[i]
		a.qs[i] = qplan{q: &v.bank[a.order[i]]}
	}
	ability := rng.NormFloat64()*abilitySpread + scoreBias
	abandonAt := a.n
	if rng.Float64() < abandonRate {
		abandonAt = rng.IntN(a.n)
	}
	for i := 0; i < a.n; i++ {
		a.answer(rng, &a.qs[i], ability, i >= abandonAt)
	}
	a.schedule(rng)
}

// answer decides which options the user checked.
func (a *attempt) answer(rng *rand.Rand, p *qplan, ability float64, abandoned bool) {
	q := p.q
	all := uint8(1)<<len(q.opts) - 1
	switch {
	case abandoned || rng.Float64() < skipRate:
		p.result = resIncomplete
	case rng.Float64() < 1/(1+math.Exp(q.difficulty-ability)):
		p.result, p.checked = resCorrect, q.correctMask
	case q.nCorrect >= 2 && rng.Float64() < missedSomeRate:
		p.result = resMissedSome
		for p.checked == 0 || p.checked == q.correctMask {
			p.checked = subset(rng, q.correctMask)
		}
	default: // some wrong option checked, maybe with some right ones
		p.result = resIncorrect
		if q.nCorrect > 1 {
			p.checked = subset(rng, q.correctMask)
		}
		wrong := all &^ q.correctMask
		p.checked |= nthBit(wrong, rng.IntN(popcount(wrong)))
		if rng.Float64() < 0.15 {
			p.checked |= subset(rng, wrong)
		}
	}
}

// schedule sets the answer times and the keen timestamp: the first answer a
// few seconds after the start, lognormal thinking times, rare long breaks.
func (a *attempt) schedule(rng *rand.Rand) {
	t := a.startMs + 2000 + rng.Int64N(10000)
	pace := float64(paceMedianMs) * math.Exp(0.6*rng.NormFloat64())
	if rng.Float64() < tinyRate {
		pace = 1500
	}
	breakAt := -1
	var breakMs int64
	if rng.Float64() < breakRate {
		breakAt = rng.IntN(a.n)
		breakMs = min(int64(40*60*1000*math.Exp(rng.NormFloat64())), maxBreakMs)
	}
	for i := 0; i < a.n; i++ {
		p := &a.qs[i]
		if i == breakAt {
			t += breakMs
		}
		think := pace * math.Exp(0.5*rng.NormFloat64())
		if p.checked == 0 {
			think *= 0.2 // skipped: a glance
		}
		if i > 0 || p.checked == 0 { // the first answer's delay is already in t
			t += int64(think)
		}
		for j := range p.q.opts {
			if p.checked&(1<<j) == 0 {
				continue
			}
			p.at[j] = t
			if rng.Float64() < CheckedWithoutAtRate {
				p.noAt |= 1 << j
			}
			t += 300 + rng.Int64N(3000)
		}
	}
	a.keenUs = (t+1000+rng.Int64N(20000))*1000 + rng.Int64N(1000)
}

// subset returns a random subset of mask, each bit kept with probability 1/2.
func subset(rng *rand.Rand, mask uint8) uint8 {
	return mask & uint8(rng.Uint32())
}

func popcount(m uint8) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

// nthBit returns the n-th (0-based) set bit of m.
func nthBit(m uint8, n int) uint8 {
	for ; n > 0; n-- {
		m &= m - 1
	}
	return m & -m
}
