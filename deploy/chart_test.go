// Package deploy holds the tests of the deployment files: the Helm chart in
// helm/a2a-bridge and the Dockerfile at the repository's root. It is a module
// of its own so that helm's dependencies stay out of the bridge's go.mod.
package deploy

import (
	"crypto/sha256"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const (
	chartDir    = "helm/a2a-bridge"
	releaseName = "bridge"
	namespace   = "agents"
	// nonrootUID is distroless's "nonroot" user, the Dockerfile's USER.
	nonrootUID = 65532
)

// valueCases are the values the chart is linted and rendered with: its
// defaults, and a production-like install (three replicas, Redis, keys from
// existing Secrets).
var valueCases = []struct {
	name, file string
	replicas   int32
	redis      bool
}{
	{name: "defaults", replicas: 1},
	{name: "scaled", file: "testdata/scaled-values.yaml", replicas: 3, redis: true},
}

func readValues(t *testing.T, file string) map[string]any {
	t.Helper()
	if file == "" {
		return map[string]any{}
	}
	vals, err := chartutil.ReadValuesFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// TestChartLints is `helm lint --strict`: no error and no warning.
func TestChartLints(t *testing.T) {
	for _, tc := range valueCases {
		t.Run(tc.name, func(t *testing.T) {
			l := lint.All(chartDir, readValues(t, tc.file), namespace, true)
			for _, m := range l.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("helm lint %s: %v", tc.name, m)
				} else {
					t.Logf("helm lint %s: %v", tc.name, m)
				}
			}
		})
	}
}

// rendered is a chart rendered as `helm template` renders it.
type rendered struct {
	deployment appsv1.Deployment
	service    corev1.Service
	configMap  corev1.ConfigMap
	notes      string
}

// renderChart renders the chart through helm's client-only dry-run install
// (the code under `helm template`) and decodes each manifest strictly into
// its Kubernetes type: a field the API does not have fails the test.
func renderChart(t *testing.T, vals map[string]any) rendered {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(&action.Configuration{Log: t.Logf})
	install.DryRun, install.ClientOnly, install.Replace = true, true, true
	install.ReleaseName, install.Namespace = releaseName, namespace
	rel, err := install.Run(chrt, vals)
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	var r rendered
	r.notes = rel.Info.Notes
	seen := map[string]int{}
	for doc := range strings.SplitSeq(rel.Manifest, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var head struct{ Kind string }
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("manifest %q: %v", doc, err)
		}
		seen[head.Kind]++
		var into any
		switch head.Kind {
		case "Deployment":
			into = &r.deployment
		case "Service":
			into = &r.service
		case "ConfigMap":
			into = &r.configMap
		default:
			t.Fatalf("unexpected kind %q in\n%s", head.Kind, doc)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
			t.Fatalf("%s does not decode strictly: %v\n%s", head.Kind, err, doc)
		}
	}
	if want := map[string]int{"Deployment": 1, "Service": 1, "ConfigMap": 1}; !maps.Equal(seen, want) {
		t.Fatalf("kinds rendered = %v, want %v", seen, want)
	}
	return r
}

// bridgeConfig is the config file the ConfigMap holds, as a YAML tree.
func (r rendered) bridgeConfig(t *testing.T) map[string]any {
	t.Helper()
	text, ok := r.configMap.Data["config.yaml"]
	if !ok {
		t.Fatalf("ConfigMap data has %v, want config.yaml", slices.Collect(maps.Keys(r.configMap.Data)))
	}
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(text), &cfg); err != nil {
		t.Fatalf("config.yaml: %v\n%s", err, text)
	}
	return cfg
}

func TestChartRenders(t *testing.T) {
	for _, tc := range valueCases {
		t.Run(tc.name, func(t *testing.T) {
			r := renderChart(t, readValues(t, tc.file))
			d := r.deployment
			if got := d.Spec.Replicas; got == nil || *got != tc.replicas {
				t.Errorf("replicas = %v, want %d", got, tc.replicas)
			}
			spec := d.Spec.Template.Spec
			if len(spec.Containers) != 1 || len(spec.InitContainers) != 0 {
				t.Fatalf("containers = %d, init containers %d, want 1 and 0", len(spec.Containers), len(spec.InitContainers))
			}
			checkPodSecurity(t, spec)
			c := spec.Containers[0]
			checkContainerSecurity(t, c)
			checkProbes(t, c)
			checkConfigMount(t, r, spec, c)
			checkService(t, r)
			checkAnnotations(t, r)
			checkRedis(t, r, c, tc.redis)
		})
	}
}

func checkPodSecurity(t *testing.T, spec corev1.PodSpec) {
	t.Helper()
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != nonrootUID {
		t.Errorf("pod securityContext = %+v, want runAsNonRoot and runAsUser %d", psc, nonrootUID)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("automountServiceAccountToken = %v, want false", spec.AutomountServiceAccountToken)
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		t.Errorf("pod shares the host's namespaces: %+v", spec)
	}
}

func checkContainerSecurity(t *testing.T, c corev1.Container) {
	t.Helper()
	sc := c.SecurityContext
	if sc == nil {
		t.Fatalf("container %s has no securityContext", c.Name)
	}
	for _, f := range []struct {
		name      string
		got, want *bool
	}{
		{"runAsNonRoot", sc.RunAsNonRoot, new(true)},
		{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem, new(true)},
		{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation, new(false)},
		{"privileged", sc.Privileged, new(false)},
	} {
		if f.got == nil || *f.got != *f.want {
			t.Errorf("container %s securityContext.%s = %v, want %v", c.Name, f.name, deref(f.got), *f.want)
		}
	}
	if sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("container %s runAsUser = %v, want a non-root user", c.Name, sc.RunAsUser)
	}
	if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("container %s capabilities = %+v, want drop [ALL] and add none", c.Name, sc.Capabilities)
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// checkProbes: liveness on /healthz, readiness on /readyz, both on the port
// named http, which is the container's 8080.
func checkProbes(t *testing.T, c corev1.Container) {
	t.Helper()
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Fatalf("container ports = %+v, want one, http 8080", c.Ports)
	}
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"liveness", c.LivenessProbe, "/healthz"},
		{"readiness", c.ReadinessProbe, "/readyz"},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s probe = %+v, want an httpGet", p.name, p.probe)
			continue
		}
		g := p.probe.HTTPGet
		if g.Path != p.path || g.Port.String() != "http" {
			t.Errorf("%s probe = GET %s on port %s, want GET %s on port http", p.name, g.Path, g.Port.String(), p.path)
		}
	}
	if got := envValue(c, "A2A_BRIDGE_LISTEN"); got != "0.0.0.0:8080" {
		t.Errorf("A2A_BRIDGE_LISTEN = %q, want 0.0.0.0:8080", got)
	}
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func envVar(c corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

// checkConfigMount: the ConfigMap is mounted read-only where
// A2A_BRIDGE_CONFIG says the file is.
func checkConfigMount(t *testing.T, r rendered, spec corev1.PodSpec, c corev1.Container) {
	t.Helper()
	path := envValue(c, "A2A_BRIDGE_CONFIG")
	var volume string
	for _, m := range c.VolumeMounts {
		if filepath.Join(m.MountPath, "config.yaml") == path {
			if !m.ReadOnly {
				t.Errorf("mount %s is writable", m.MountPath)
			}
			volume = m.Name
		}
	}
	var cm string
	for _, v := range spec.Volumes {
		if v.Name == volume && v.ConfigMap != nil {
			cm = v.ConfigMap.Name
		}
	}
	if cm == "" || cm != r.configMap.Name {
		t.Errorf("A2A_BRIDGE_CONFIG %q is in volume %q of ConfigMap %q, want the ConfigMap %q", path, volume, cm, r.configMap.Name)
	}
}

func checkService(t *testing.T, r rendered) {
	t.Helper()
	s := r.service.Spec
	if len(s.Ports) != 1 || s.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service ports = %+v, want one to targetPort http", s.Ports)
	}
	labels := r.deployment.Spec.Template.Labels
	for k, v := range s.Selector {
		if labels[k] != v {
			t.Errorf("Service selector %s=%s does not match the pod's labels %v", k, v, labels)
		}
	}
	if !maps.Equal(s.Selector, r.deployment.Spec.Selector.MatchLabels) {
		t.Errorf("Service selector %v, Deployment selector %v, want the same", s.Selector, r.deployment.Spec.Selector.MatchLabels)
	}
}

// checkAnnotations: Prometheus scrapes /metrics on 8080, and the pod carries
// the ConfigMap's checksum (so a config change rolls the pods).
func checkAnnotations(t *testing.T, r rendered) {
	t.Helper()
	a := r.deployment.Spec.Template.Annotations
	for k, want := range map[string]string{
		"prometheus.io/scrape": "true",
		"prometheus.io/port":   "8080",
		"prometheus.io/path":   "/metrics",
	} {
		if a[k] != want {
			t.Errorf("pod annotation %s = %q, want %q", k, a[k], want)
		}
	}
	if len(a["checksum/config"]) != sha256.Size*2 {
		t.Errorf("pod annotation checksum/config = %q, want a SHA-256", a["checksum/config"])
	}
}

// checkRedis: with Redis, the URL comes from the Secret as REDIS_URL and the
// config says ${REDIS_URL}; without, the config has no redis block.
func checkRedis(t *testing.T, r rendered, c corev1.Container, want bool) {
	t.Helper()
	cfg := r.bridgeConfig(t)
	redis, has := cfg["redis"].(map[string]any)
	env, hasEnv := envVar(c, "REDIS_URL")
	if !want {
		if has || hasEnv {
			t.Errorf("redis block %v, REDIS_URL %v: want neither by default", cfg["redis"], env)
		}
		return
	}
	if !has || redis["url"] != "${REDIS_URL}" {
		t.Errorf("config redis = %v, want url ${REDIS_URL}", cfg["redis"])
	}
	if !hasEnv || env.ValueFrom == nil || env.ValueFrom.SecretKeyRef == nil || env.ValueFrom.SecretKeyRef.Name != "a2a-bridge-redis" || env.ValueFrom.SecretKeyRef.Key != "url" {
		t.Errorf("REDIS_URL = %+v, want from Secret a2a-bridge-redis key url", env)
	}
}

// TestChartConfigChecksum: the checksum changes with the config (a rollout)
// and with nothing else the pods do not see.
func TestChartConfigChecksum(t *testing.T) {
	checksum := func(vals map[string]any) string {
		return renderChart(t, vals).deployment.Spec.Template.Annotations["checksum/config"]
	}
	base := checksum(map[string]any{})
	for _, tc := range []struct {
		name    string
		vals    map[string]any
		changed bool
	}{
		{"same values", map[string]any{}, false},
		{"more replicas", map[string]any{"replicaCount": 4}, false},
		{"log level", map[string]any{"config": map[string]any{"log_level": "debug"}}, true},
		{"redis url", map[string]any{"redis": map[string]any{"url": "redis://redis:6379/0"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checksum(tc.vals) != base; got != tc.changed {
				t.Errorf("checksum changed with %v = %v, want %v", tc.vals, got, tc.changed)
			}
		})
	}
}

// TestChartRefuses: values the chart cannot honour, or does not know
// (values.schema.json), stop the render and the lint, naming the value, rather
// than deploy something else.
func TestChartRefuses(t *testing.T) {
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		vals   map[string]any
		want   string
		schema bool // refused by values.schema.json, which helm lint checks too (it skips a template's fail)
	}{
		{"listen in config", map[string]any{"config": map[string]any{"listen": "0.0.0.0:9000"}}, "config.listen", false},
		{"two redis sources", map[string]any{"redis": map[string]any{"url": "redis://r:6379", "existingSecret": "s"}}, "url or existingSecret", false},
		{"misspelt value", map[string]any{"replicas": 3}, "replicas", true},
		{"misspelt redis value", map[string]any{"redis": map[string]any{"ulr": "redis://r:6379"}}, "ulr", true},
		{"redis url scheme", map[string]any{"redis": map[string]any{"url": "r:6379"}}, "/redis/url", true},
		{"secretEnv without key", map[string]any{"secretEnv": []any{map[string]any{"name": "K", "secretName": "s"}}}, "secretKey", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			install := action.NewInstall(&action.Configuration{Log: t.Logf})
			install.DryRun, install.ClientOnly, install.Replace = true, true, true
			install.ReleaseName, install.Namespace = releaseName, namespace
			_, err := install.Run(chrt, maps.Clone(tc.vals))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("helm template with %v: error %v, want one naming %q", tc.vals, err, tc.want)
			}
			if l := lint.All(chartDir, tc.vals, namespace, true); tc.schema && l.HighestSeverity < support.ErrorSev {
				t.Errorf("helm lint with %v: %v, want an error", tc.vals, l.Messages)
			}
		})
	}
}

// TestChartNotes: NOTES.txt warns of replicas without Redis and of an open
// /v1/*, and only then.
func TestChartNotes(t *testing.T) {
	const noRedis, open = "replicas and no Redis", "no api_keys"
	for _, tc := range []struct {
		name      string
		vals      map[string]any
		want, not []string
	}{
		{"defaults", map[string]any{}, []string{open}, []string{noRedis}},
		{"replicas, no redis", map[string]any{"replicaCount": 2}, []string{noRedis, open}, nil},
		{"scaled", readValues(t, "testdata/scaled-values.yaml"), nil, []string{noRedis, open}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			notes := renderChart(t, tc.vals).notes
			for _, w := range tc.want {
				if !strings.Contains(notes, w) {
					t.Errorf("NOTES.txt lacks %q:\n%s", w, notes)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(notes, w) {
					t.Errorf("NOTES.txt says %q:\n%s", w, notes)
				}
			}
		})
	}
}
