// Package deploy_test validates docker-compose.yml with compose-go, the
// loader `docker compose` itself uses: these machines have no Docker
// engine, so this is what checks the file.
package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func load(t *testing.T) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"},
		cli.WithWorkingDirectory(".."), cli.WithName("lakegate"), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := cli.ProjectFromOptions(context.Background(), opts)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// pinned is an exact version tag: digits and dots, maybe a suffix
// (16.6, 3.4.1, 0.287), never latest or a bare major.
var pinned = regexp.MustCompile(`:[0-9]+\.[0-9]+(\.[0-9]+)?([-.][A-Za-z0-9.]+)?$`)

func TestComposeFile(t *testing.T) {
	p := load(t)
	want := []string{"datanode", "kafka", "lakegate", "namenode", "postgres", "presto"}
	if got := p.ServiceNames(); strings.Join(slices.Sorted(slices.Values(got)), " ") != strings.Join(want, " ") {
		t.Errorf("services %v, want %v", got, want)
	}
	for name, s := range p.Services {
		switch {
		case s.Build != nil && s.Image == "":
		case !pinned.MatchString(s.Image):
			t.Errorf("%s: image %q is not pinned to an exact version", name, s.Image)
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s has no health check", name)
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s, which is not in the repository: %v", name, v.Source, err)
			}
		}
		for dep, d := range s.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s waits for %s to be %s, not healthy", name, dep, d.Condition)
			}
		}
	}
}

// TestComposeWiring: the parts point at each other as the README says.
func TestComposeWiring(t *testing.T) {
	p := load(t)
	lg := p.Services["lakegate"]
	ports := map[uint32]bool{}
	for _, port := range lg.Ports {
		ports[port.Target] = true
	}
	if !ports[8080] || !ports[9083] {
		t.Errorf("lakegate publishes %v, want 8080 (HTTP) and 9083 (metastore)", lg.Ports)
	}
	env := lg.Environment
	for k, v := range map[string]string{"LAKEGATE_PRESTO_URL": "http://presto:8080", "LAKEGATE_LAKE": "hdfs://namenode:8020/lakegate"} {
		if env[k] == nil || *env[k] != v {
			t.Errorf("lakegate %s = %v, want %s", k, env[k], v)
		}
	}
	if !strings.Contains(strings.Join(lg.Command, " "), "--hms-addr 0.0.0.0:9083") {
		t.Errorf("lakegate does not serve the metastore: %v", lg.Command)
	}
	presto := p.Services["presto"]
	mounted := false
	for _, v := range presto.Volumes {
		mounted = mounted || v.Type == types.VolumeTypeBind && filepath.Base(v.Source) == "presto" && v.Target == "/deploy/presto"
	}
	if !mounted || presto.Environment["PRESTO_METASTORE"] == nil || *presto.Environment["PRESTO_METASTORE"] != "thrift://lakegate:9083" {
		t.Errorf("presto does not mount deploy/presto or read lakegate's metastore: %v %v", presto.Volumes, presto.Environment)
	}
}
