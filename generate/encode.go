package generate

import "strconv"

// The encoders below append straight to a reused []byte: encoding/json
// reflection would cost several times the whole generator's budget.

const hexDigits = "0123456789abcdef"

// appendHex appends the low n nibbles of v, most significant first.
func appendHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// appendUUID appends a version-4 UUID built from 128 random bits.
func appendUUID(b []byte, hi, lo uint64) []byte {
	hi = hi&^0xf000 | 0x4000       // version 4
	lo = lo&^(0xc0<<56) | 0x80<<56 // RFC 4122 variant
	b = appendHex(b, hi>>32, 8)    // time_low
	b = append(b, '-')             //
	b = appendHex(b, hi>>16, 4)    // time_mid
	b = append(b, '-')             //
	b = appendHex(b, hi, 4)        // time_hi_and_version
	b = append(b, '-')             //
	b = appendHex(b, lo>>48, 4)    // clock_seq
	b = append(b, '-')             //
	return appendHex(b, lo, 12)    // node
}

// appendObjectID appends a 24-hex Mongo ObjectId: 4 bytes of epoch
// seconds, 5 bytes of machine/process, 3 bytes of counter.
func appendObjectID(b []byte, sec int64, machine uint64, counter uint32) []byte {
	b = appendHex(b, uint64(sec), 8)
	b = appendHex(b, machine, 10)
	return appendHex(b, uint64(counter), 6)
}

// appendEpochMicros appends epoch seconds with 6 decimals, as keen does:
// 1516717442.735266. us must not be negative (Options.Start is checked).
func appendEpochMicros(b []byte, us int64) []byte {
	b = strconv.AppendInt(b, us/1e6, 10)
	b = append(b, '.')
	return appendPad(b, us%1e6, 6)
}

// appendPad appends v zero-padded to width digits.
func appendPad(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for ; width > 0 || v > 0; width-- {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[i:]...)
}

// appendISOMillis appends an ISO-8601 UTC time with milliseconds and Z,
// 2018-01-23T14:23:19.082Z, for ms since the epoch (not negative).
func appendISOMillis(b []byte, ms int64) []byte {
	days, rem := ms/86_400_000, ms%86_400_000
	y, m, d := civil(days)
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, m, 2)
	b = append(b, '-')
	b = appendPad(b, d, 2)
	b = append(b, 'T')
	b = appendPad(b, rem/3_600_000, 2)
	b = append(b, ':')
	b = appendPad(b, rem/60_000%60, 2)
	b = append(b, ':')
	b = appendPad(b, rem/1000%60, 2)
	b = append(b, '.')
	b = appendPad(b, rem%1000, 3)
	return append(b, 'Z')
}

// civil converts days since 1970-01-01 (not negative) to a proleptic
// Gregorian date, after Howard Hinnant's days_from_civil inverse; it avoids
// time.Time formatting, which dominates a profile otherwise.
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendKey appends "key": (keys are constants that need no escaping).
func appendKey(b []byte, key string) []byte {
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// appendStr appends "s" for s known to need no escaping (ids, exam names).
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
