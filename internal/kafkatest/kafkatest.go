// Package kafkatest gives tests topics of their own on the Kafka peer
// (scripts/peers up kafka) and reads them back with kcat.
package kafkatest

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate/internal/peertest"
)

var unsafe = regexp.MustCompile(`[^a-z0-9]+`)

// Topic creates a fresh topic with partitions, named after the test, and
// returns the broker address and the topic (skipping, or failing under
// CI=true, without the peer).
func Topic(t *testing.T, partitions int32) (brokers, topic string) {
	t.Helper()
	brokers = peertest.Env(t, "LAKEGATE_TEST_KAFKA", "kafka")
	topic = fmt.Sprintf("%s-%d", unsafe.ReplaceAllString(strings.ToLower(t.Name()), "-"), time.Now().UnixNano())
	if err := Create(brokers, topic, partitions); err != nil {
		t.Fatal(err)
	}
	return brokers, topic
}

// Create creates a topic with partitions (replication 1).
func Create(brokers, topic string, partitions int32) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := kadm.NewClient(cl).CreateTopic(ctx, partitions, 1, nil, topic)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	return nil
}

// Read reads a topic to its end with kcat, one message a line, sorted
// (partitions interleave).
func Read(t *testing.T, brokers, topic string) []string {
	t.Helper()
	out, err := exec.Command("kcat", "-b", brokers, "-C", "-t", topic, "-e", "-q", "-f", "%s\n").Output()
	if err != nil {
		t.Fatalf("kcat: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	slices.Sort(lines)
	return lines
}
