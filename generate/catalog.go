package generate

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// catalogSeed fixes the exam catalog (base_exam_ids, question and option
// ids, difficulties) independently of Options.Seed, so that batches generated
// with different seeds describe the same exams and join on the same ids, as
// successive days of real data would.
const catalogSeed = 0x1a4e6a7e

// Exam catalog sizes. With the test exam they give 103 names and 107
// base_exam_ids, the counts of the real public file.
const (
	minBank   = 20   // questions in the smallest bank: an attempt may ask up to 20
	maxBank   = 30   // questions in the largest bank
	splitMain = 0.65 // share of attempts on the first of two base ids of one name
)

// examSpec is one exam name, listed in popularity order.
type examSpec struct {
	name string
	two  bool // the name has two base_exam_ids (a re-issued exam)
	rare bool // scheduled once per RareExamEvery unique attempts, never sampled
}

// examSpecs are the exam names, most popular first. Names are plain ASCII
// without quotes or backslashes: the encoder appends them unescaped.
var examSpecs = []examSpec{
	{name: "Learning Git", two: true},
	{name: "Introduction to Python", two: true},
	{name: "Intermediate Python Programming"},
	{name: "Learning to Program with R"},
	{name: "Introduction to Java 8", two: true},
	{name: "Software Architecture Fundamentals Understanding the Basics"},
	{name: "Beginning C# Programming"},
	{name: "Learning Eclipse"},
	{name: "Learning Apache Maven"},
	{name: "Beginning Programming with JavaScript"},
	{name: "Mastering Git"},
	{name: "Introduction to Big Data"},
	{name: "Learning SQL", two: true},
	{name: "Normal Forms and All That Jazz Master Class"},
	{name: "Learning Linux Command Line"},
	{name: "Introduction to Machine Learning"},
	{name: "Learning Docker"},
	{name: "Mastering Python Networking"},
	{name: "Learning Apache Spark 2"},
	{name: "Introduction to Hadoop"},
	{name: "Learning Data Structures and Algorithms"},
	{name: "Practical Statistics for Data Scientists"},
	{name: "Learning Go Programming"},
	{name: "Beginning Swift Programming"},
	{name: "Introduction to Kubernetes"},
	{name: "Learning React"},
	{name: "Intermediate JavaScript"},
	{name: "Learning Node.js"},
	{name: "HTML5 and CSS3 Fundamentals"},
	{name: "Learning Regular Expressions"},
	{name: "Introduction to Data Science with Python"},
	{name: "Learning pandas for Data Analysis"},
	{name: "Advanced SQL for Data Analysis"},
	{name: "Learning MongoDB"},
	{name: "Introduction to PostgreSQL"},
	{name: "Learning Apache Kafka"},
	{name: "Design Patterns in Java"},
	{name: "Learning Spring Boot"},
	{name: "Scala Fundamentals"},
	{name: "Functional Programming in Scala"},
	{name: "Learning Haskell"},
	{name: "Introduction to Rust"},
	{name: "Learning C++ Programming"},
	{name: "Modern C++ Beyond the Basics"},
	{name: "Learning Bash Scripting"},
	{name: "Learning Vim"},
	{name: "Introduction to Cloud Computing"},
	{name: "AWS Certified Solutions Architect Associate Prep"},
	{name: "Learning Microsoft Azure"},
	{name: "Google Cloud Platform Fundamentals"},
	{name: "Introduction to DevOps"},
	{name: "Continuous Delivery with Jenkins"},
	{name: "Learning Ansible"},
	{name: "Terraform Up and Running"},
	{name: "Network Security Fundamentals"},
	{name: "Introduction to Cryptography"},
	{name: "Ethical Hacking Basics"},
	{name: "Learning Agile and Scrum"},
	{name: "Software Testing Fundamentals"},
	{name: "Test-Driven Development in Python"},
	{name: "Refactoring Legacy Code"},
	{name: "Clean Code Principles"},
	{name: "Microservices Architecture"},
	{name: "Building RESTful APIs"},
	{name: "Learning GraphQL"},
	{name: "Introduction to Deep Learning"},
	{name: "TensorFlow for Beginners"},
	{name: "Natural Language Processing with Python"},
	{name: "Computer Vision Fundamentals"},
	{name: "Introduction to Statistics"},
	{name: "Linear Algebra for Machine Learning"},
	{name: "Probability and Bayesian Thinking"},
	{name: "Data Visualization with D3.js"},
	{name: "Learning Tableau"},
	{name: "Excel Data Analysis Essentials"},
	{name: "Learning Angular"},
	{name: "Vue.js Fundamentals"},
	{name: "TypeScript Essentials"},
	{name: "Learning PHP and MySQL"},
	{name: "Ruby on Rails Fundamentals"},
	{name: "Android Development with Kotlin"},
	{name: "Learning iOS Development"},
	{name: "Introduction to Unity Game Development"},
	{name: "Learning Elasticsearch"},
	{name: "Learning Redis"},
	{name: "Introduction to Blockchain"},
	{name: "Learning Apache Hive"},
	{name: "Data Warehousing Concepts"},
	{name: "ETL Pipelines with Apache Airflow"},
	{name: "Learning Jupyter Notebooks"},
	{name: "Introduction to R Shiny"},
	{name: "Time Series Analysis in R"},
	{name: "Introduction to Operating Systems"},
	{name: "Computer Networking Essentials"},
	{name: "Advanced Git Workflows"},
	{name: "Understanding Distributed Systems"},
	{name: "Learning Perl", rare: true},
	{name: "Introduction to Objective-C", rare: true},
	{name: "Learning MATLAB", rare: true},
	{name: "Cassandra Data Modeling", rare: true},
	{name: "Introduction to Information Architecture", rare: true},
	{name: "Presto and SQL on Hadoop", rare: true},
}

// optionDef is one answer option of a bank question.
type optionDef struct {
	id      string
	correct bool
}

// question is one question of an exam's bank. Its id and options are stable
// across attempts so that per-question statistics make sense.
type question struct {
	id          string
	opts        []optionDef
	correctMask uint8   // bit i set when opts[i] is correct
	nCorrect    int     // bits set in correctMask; always < len(opts)
	difficulty  float64 // logit offset: higher is harder
}

// version is one base_exam_id: a name and its question bank.
type version struct {
	name   string
	baseID string
	bank   []question
	test   bool // a test row ("example-id")
}

// catalog is the fixed set of exams shared by every call.
type catalog struct {
	sampled []*version // versions drawn by popularity
	cum     []float64  // cumulative weights of sampled, last == 1
	rare    []*version // versions scheduled once per RareExamEvery
	test    *version   // the "example-id" exam of test rows
}

var sharedCatalog = sync.OnceValue(buildCatalog)

// examWeight is the popularity of the exam at rank r (0 = most popular): a
// Zipf-like curve with Learning Git set to about 12% of attempts.
func examWeight(r int) float64 {
	w := 1 / math.Pow(float64(r)+2.5, 1.15)
	if r == 0 {
		w *= 0.9
	}
	return w
}

func buildCatalog() *catalog {
	rng := rand.New(rand.NewPCG(catalogSeed, catalogSeed^0x9e3779b97f4a7c15))
	c := &catalog{}
	var weights []float64
	for r, s := range examSpecs {
		v := newVersion(rng, s.name, false)
		if s.rare {
			c.rare = append(c.rare, v)
			continue
		}
		w := examWeight(r)
		if !s.two {
			c.sampled, weights = append(c.sampled, v), append(weights, w)
			continue
		}
		v2 := newVersion(rng, s.name, false)
		c.sampled = append(c.sampled, v, v2)
		weights = append(weights, w*splitMain, w*(1-splitMain))
	}
	c.test = newVersion(rng, testExamName, true)
	c.test.baseID = testBaseID
	c.test.bank = c.test.bank[:minBank]
	var sum float64
	for _, w := range weights {
		sum += w
	}
	acc := 0.0
	for _, w := range weights {
		acc += w / sum
		c.cum = append(c.cum, acc)
	}
	c.cum[len(c.cum)-1] = 1
	return c
}

// pick returns a popularity-weighted version for u drawn uniformly in [0,1).
func (c *catalog) pick(u float64) *version {
	i := sort.SearchFloat64s(c.cum, u)
	if i >= len(c.sampled) {
		i = len(c.sampled) - 1
	}
	return c.sampled[i]
}

func newVersion(rng *rand.Rand, name string, test bool) *version {
	v := &version{name: name, baseID: uuidString(rng), test: test}
	offset := rng.NormFloat64() * 0.4 // some exams are harder than others
	v.bank = make([]question, minBank+rng.IntN(maxBank-minBank+1))
	for i := range v.bank {
		v.bank[i] = newQuestion(rng, offset)
	}
	return v
}

// optionCounts is the distribution of options per question (2..6).
var optionCounts = []struct {
	n int
	p float64
}{{2, 0.08}, {3, 0.15}, {4, 0.60}, {5, 0.10}, {6, 0.07}}

func newQuestion(rng *rand.Rand, offset float64) question {
	u, n := rng.Float64(), 4
	for _, oc := range optionCounts {
		if u < oc.p {
			n = oc.n
			break
		}
		u -= oc.p
	}
	// Mostly one correct option; some multi-select questions; always at
	// least one wrong option so that "incorrect" is possible.
	k := 1
	switch u := rng.Float64(); {
	case u < 0.10:
		k = 3
	case u < 0.30:
		k = 2
	}
	k = min(k, n-1)
	q := question{id: uuidString(rng), opts: make([]optionDef, n), nCorrect: k,
		difficulty: offset + rng.NormFloat64()*0.9}
	for i := range q.opts {
		q.opts[i].id = uuidString(rng)
	}
	for _, i := range rng.Perm(n)[:k] {
		q.opts[i].correct = true
		q.correctMask |= 1 << i
	}
	return q
}

func uuidString(rng *rand.Rand) string {
	return string(appendUUID(make([]byte, 0, 36), rng.Uint64(), rng.Uint64()))
}
