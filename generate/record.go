package generate

import (
	"math/rand/v2"
	"strconv"
)

// recordStats are the per-record counts that feed Stats.
type recordStats struct {
	questions, optionsWithoutAt int64
}

// appendRecord encodes a planned attempt as one JSON object, in the key
// order of the real file. The consistency rules, relied on by tests and by
// per-question statistics downstream:
//   - user_correct  == (user_result == "correct")
//   - user_incomplete == user_result in {"missed_some", "incomplete"}
//   - user_submitted == some option checked; checked options carry "submitted":1
//   - counts: correct/incorrect by result, incomplete = missed_some + incomplete,
//     unanswered = questions with nothing checked, submitted = total - unanswered,
//     total = len(questions), all_correct = correct == total
func (g *generator) appendRecord(b []byte, a *attempt) ([]byte, recordStats) {
	rng := g.rng
	var st recordStats
	b = append(b, `{"keen_timestamp":"`...)
	b = appendEpochMicros(b, a.keenUs)
	b = append(b, `","max_attempts":"1.0","started_at":"`...)
	b = appendISOMillis(b, a.startMs)
	b = append(b, `","base_exam_id":`...)
	b = appendStr(b, a.v.baseID)
	b = append(b, `,"user_exam_id":"`...)
	b = appendUUID(b, rng.Uint64(), rng.Uint64())
	b = append(b, `","sequences":{"questions":[`...)
	var c [4]int64 // by result
	var unanswered int64
	for i := 0; i < a.n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		p := &a.qs[i]
		c[p.result]++
		if p.checked == 0 {
			unanswered++
		}
		var noAt int64
		b, noAt = appendQuestion(b, p, a.reveal)
		st.optionsWithoutAt += noAt
	}
	st.questions = int64(a.n)
	b = append(b, `],"attempt":1,"id":"`...)
	b = appendUUID(b, rng.Uint64(), rng.Uint64())
	b = append(b, '"')
	if !a.missingCounts {
		b = append(b, `,"counts":{"incomplete":`...)
		b = strconv.AppendInt(b, c[resMissedSome]+c[resIncomplete], 10)
		b = append(b, `,"submitted":`...)
		b = strconv.AppendInt(b, int64(a.n)-unanswered, 10)
		b = append(b, `,"incorrect":`...)
		b = strconv.AppendInt(b, c[resIncorrect], 10)
		b = append(b, `,"all_correct":`...)
		b = appendBool(b, c[resCorrect] == int64(a.n))
		b = append(b, `,"correct":`...)
		b = strconv.AppendInt(b, c[resCorrect], 10)
		b = append(b, `,"total":`...)
		b = strconv.AppendInt(b, int64(a.n), 10)
		b = append(b, `,"unanswered":`...)
		b = strconv.AppendInt(b, unanswered, 10)
		b = append(b, '}')
	}
	b = append(b, `},"keen_created_at":"`...)
	b = appendEpochMicros(b, a.keenUs)
	b = append(b, `","certification":"false","keen_id":"`...)
	b = g.appendKeenID(b, a.keenUs/1e6)
	b = append(b, `","exam_name":`...)
	b = appendStr(b, a.v.name)
	return append(b, '}'), st
}

// appendQuestion encodes one question; it returns the options without "at".
func appendQuestion(b []byte, p *qplan, reveal bool) ([]byte, int64) {
	var noAt int64
	b = append(b, `{"user_incomplete":`...)
	b = appendBool(b, p.result == resMissedSome || p.result == resIncomplete)
	b = append(b, `,"user_correct":`...)
	b = appendBool(b, p.result == resCorrect)
	b = append(b, `,"options":[`...)
	for j, o := range p.q.opts {
		if j > 0 {
			b = append(b, ',')
		}
		bit := uint8(1) << j
		if p.checked&bit == 0 {
			noAt++
			b = append(b, `{"checked":false,`...)
			if o.correct || reveal {
				b = appendKey(b, "correct")
				b = appendBool(b, o.correct)
				b = append(b, ',')
			}
			b = append(b, `"id":`...)
			b = appendStr(b, o.id)
			b = append(b, '}')
			continue
		}
		b = append(b, `{"checked":true,`...)
		if p.noAt&bit == 0 {
			b = append(b, `"at":"`...)
			b = appendISOMillis(b, p.at[j])
			b = append(b, `",`...)
		} else {
			noAt++
		}
		b = append(b, `"id":`...)
		b = appendStr(b, o.id)
		b = append(b, `,"submitted":1`...)
		if o.correct || reveal {
			b = append(b, `,"correct":`...)
			b = appendBool(b, o.correct)
		}
		b = append(b, '}')
	}
	b = append(b, `],"user_submitted":`...)
	b = appendBool(b, p.checked != 0)
	b = append(b, `,"id":`...)
	b = appendStr(b, p.q.id)
	b = append(b, `,"user_result":"`...)
	b = append(b, resultNames[p.result]...)
	return append(b, `"}`...), noAt
}

// appendKeenID appends an ObjectId-like keen_id: keen ran a few collector
// processes, each with its own 5-byte id and 3-byte counter.
func (g *generator) appendKeenID(b []byte, sec int64) []byte {
	i := g.rng.IntN(len(g.machines))
	g.counters[i]++
	return appendObjectID(b, sec, g.machines[i], g.counters[i]&0xffffff)
}

// newMachines draws the collector process ids and counter starts of a run.
func newMachines(rng *rand.Rand) ([3]uint64, [3]uint32) {
	var m [3]uint64
	var c [3]uint32
	for i := range m {
		m[i] = rng.Uint64() & 0xffffffffff
		c[i] = rng.Uint32() & 0xffffff
	}
	return m, c
}
