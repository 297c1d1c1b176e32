// Package deploy_test validates docker-compose.yml with compose-go, the
// loader `docker compose` itself uses: these machines have no Docker
// engine, so this is what checks the file.
package deploy_test

import (
	"context"
	"encoding/xml"
	"io/fs"
	"os"
	"os/exec"
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
	want := []string{"datanode", "kafka", "lakegate", "namenode", "postgres", "presto", "stream"}
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

// TestPrestoRender runs deploy/presto/render.sh, the Presto container's
// entrypoint, with the presto service's environment (into a temporary
// folder, with a launcher that does nothing): every template is
// rendered, no placeholder is left, and the result points at the
// compose services.
func TestPrestoRender(t *testing.T) {
	p := load(t)
	etc, data := filepath.Join(t.TempDir(), "etc"), t.TempDir()
	cmd := exec.Command("sh", "presto/render.sh")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PRESTO_ETC=" + etc, "PRESTO_DATA=" + data, "PRESTO_LAUNCHER=true"}
	for k, v := range p.Services["presto"].Environment {
		if v != nil {
			cmd.Env = append(cmd.Env, k+"="+*v)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("render.sh: %v\n%s", err, out)
	}
	templates := files(t, "presto")
	templates = slices.DeleteFunc(templates, func(f string) bool { return f == "render.sh" })
	if got := files(t, etc); !slices.Equal(got, templates) {
		t.Errorf("rendered %v, want the templates %v", got, templates)
	}
	left := regexp.MustCompile(`@[A-Z_]+@`)
	for _, f := range templates {
		b, err := os.ReadFile(filepath.Join(etc, f))
		if err != nil {
			t.Fatal(err)
		}
		if m := left.FindAllString(string(b), -1); m != nil {
			t.Errorf("%s keeps placeholders %v", f, m)
		}
	}
	for f, want := range map[string]string{
		"catalog/hive.properties":   "hive.metastore.uri=thrift://lakegate:9083\n",
		"config.properties":         "discovery.uri=http://presto:8080\n",
		"access-control.properties": "security.config-file=" + etc + "/access-rules.json\n",
		"jvm.config":                "-Xmx2G\n",
	} {
		if b, _ := os.ReadFile(filepath.Join(etc, f)); !strings.Contains(string(b), want) {
			t.Errorf("rendered %s lacks %q:\n%s", f, want, b)
		}
	}
}

// TestPrestoPlaceholders: render.sh fills the placeholders that
// scripts/peers fills for the local peer (its up_presto), and every
// placeholder the templates use, so deploy/presto stays one
// configuration for both.
func TestPrestoPlaceholders(t *testing.T) {
	sed := regexp.MustCompile(`s\|(@[A-Z_]+@)\|`)
	fills := func(text string) []string {
		var s []string
		for _, m := range sed.FindAllStringSubmatch(text, -1) {
			s = append(s, m[1])
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	peers := read(t, "../scripts/peers")
	start := strings.Index(peers, "\nup_presto() {")
	if start < 0 {
		t.Fatal("scripts/peers has no up_presto")
	}
	peers = peers[start:]
	peers = peers[:strings.Index(peers, "\n}\n")]
	render := fills(read(t, "presto/render.sh"))
	if got := fills(peers); !slices.Equal(got, render) {
		t.Errorf("scripts/peers fills %v, render.sh %v", got, render)
	}
	used := regexp.MustCompile(`@[A-Z_]+@`)
	for _, f := range files(t, "presto") {
		if f == "render.sh" {
			continue
		}
		for _, u := range used.FindAllString(read(t, filepath.Join("presto", f)), -1) {
			if !slices.Contains(render, u) {
				t.Errorf("presto/%s uses %s, which render.sh does not fill", f, u)
			}
		}
	}
}

// TestHadoopConfig: deploy/hadoop agrees with the compose file: HDFS is
// the lake's, one replica, and the NameNode's folder is formatted on a
// first start and kept on a volume.
func TestHadoopConfig(t *testing.T) {
	p := load(t)
	core, hdfs := properties(t, "hadoop/core-site.xml"), properties(t, "hadoop/hdfs-site.xml")
	lake := *p.Services["lakegate"].Environment["LAKEGATE_LAKE"]
	if fs := core["fs.defaultFS"]; fs != "hdfs://namenode:8020" || !strings.HasPrefix(lake, fs+"/") {
		t.Errorf("fs.defaultFS %q, lake %q: want hdfs://namenode:8020 for both", fs, lake)
	}
	for k, want := range map[string]string{"dfs.replication": "1", "dfs.webhdfs.enabled": "true", "dfs.permissions.enabled": "false"} {
		if hdfs[k] != want {
			t.Errorf("hdfs-site.xml %s = %q, want %q", k, hdfs[k], want)
		}
	}
	nn := p.Services["namenode"]
	dir := nn.Environment["ENSURE_NAMENODE_DIR"]
	if dir == nil || *dir != hdfs["dfs.namenode.name.dir"] {
		t.Fatalf("ENSURE_NAMENODE_DIR %v, dfs.namenode.name.dir %q: the image must format the folder HDFS uses", dir, hdfs["dfs.namenode.name.dir"])
	}
	// The image formats only a folder that does not exist: a volume
	// mounted on the folder itself would never be formatted.
	kept := false
	for _, v := range nn.Volumes {
		if v.Target == *dir {
			t.Errorf("a volume is mounted on %s itself, so the NameNode is never formatted", *dir)
		}
		kept = kept || v.Type == types.VolumeTypeVolume && strings.HasPrefix(*dir, v.Target+"/")
	}
	if !kept {
		t.Errorf("no volume keeps %s", *dir)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// files lists the files under dir, relative to it, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// properties reads a Hadoop configuration file's name/value pairs.
func properties(t *testing.T, path string) map[string]string {
	t.Helper()
	var conf struct {
		Property []struct {
			Name  string `xml:"name"`
			Value string `xml:"value"`
		} `xml:"property"`
	}
	if err := xml.Unmarshal([]byte(read(t, path)), &conf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m := map[string]string{}
	for _, p := range conf.Property {
		m[p.Name] = p.Value
	}
	return m
}
