package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The kinds of setting: each parses, checks and prints its values the
// same way, so a setting of the table is one line.

func text(key, def, arg, help string, field func(*Config) *string, check func(string) error) Setting {
	return Setting{Key: key, Default: def, Arg: arg, Help: help,
		set: func(c *Config, v string) error {
			*field(c) = v
			if check == nil {
				return nil
			}
			return check(v)
		},
		get: func(c *Config) string { return *field(c) }}
}

func secret(s Setting) Setting {
	s.Secret = true
	return s
}

// integer is a whole number of at least min.
func integer(key, def, arg, help string, field func(*Config) *int, min int) Setting {
	return Setting{Key: key, Default: def, Arg: arg, Help: help,
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < min {
				return fmt.Errorf("%q is not a whole number >= %d", v, min)
			}
			*field(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*field(c)) }}
}

// byteSize is a size in bytes of at least min.
func byteSize(key, def, help string, field func(*Config) *int64, min int64) Setting {
	return Setting{Key: key, Default: def, Arg: "BYTES", Help: help,
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < min {
				return fmt.Errorf("%q is not a whole number of bytes >= %d", v, min)
			}
			*field(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(*field(c), 10) }}
}

// number is a finite number of at least min.
func number(key, def, arg, help string, field func(*Config) *float64, min float64) Setting {
	return Setting{Key: key, Default: def, Arg: arg, Help: help,
		set: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < min || math.IsInf(f, 0) || math.IsNaN(f) {
				return fmt.Errorf("%q is not a number >= %g", v, min)
			}
			*field(c) = f
			return nil
		},
		get: func(c *Config) string { return strconv.FormatFloat(*field(c), 'g', -1, 64) }}
}

// duration is a positive Go duration.
func duration(key, def, arg, help string, field func(*Config) *time.Duration) Setting {
	return Setting{Key: key, Default: def, Arg: arg, Help: help,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 30s or 2m", v)
			}
			*field(c) = d
			return nil
		},
		get: func(c *Config) string { return field(c).String() }}
}
