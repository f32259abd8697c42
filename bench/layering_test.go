package bench

import (
	"go/build"
	"strings"
	"testing"
)

// The engine names no policy: it imports only the core, the workload generators
// and the trace readers, never a policy package or the catalogue (bench/families),
// so that every name reaches it through a Registry.
func TestEngineImportsNoPolicy(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if bad := forbiddenImports(pkg.Imports); len(bad) > 0 {
		t.Fatalf("the engine imports %v", bad)
	}
	// The check itself: a policy or the catalogue is refused.
	if bad := forbiddenImports([]string{"fmt", "github.com/schedlab/schedlab/policies/gang", "github.com/schedlab/schedlab/bench/families"}); len(bad) != 2 {
		t.Fatalf("forbiddenImports missed a policy or the catalogue: %v", bad)
	}
}

func forbiddenImports(imports []string) []string {
	const mod = "github.com/schedlab/schedlab/"
	var bad []string
	for _, p := range imports {
		if strings.HasPrefix(p, mod+"policies/") || strings.HasPrefix(p, mod+"bench/") || strings.HasPrefix(p, mod+"cmd/") {
			bad = append(bad, p)
		}
	}
	return bad
}
