// Command funclen lists the longest non-test functions of the Go files under a
// directory, longest first, as "lines file:line name". It is the measure behind
// the project's function-length target (none over 120 lines).
//
//	go run ./scripts/funclen [-n 15] [-over 0] [DIR]
//
// With -over N it prints only the functions longer than N lines and exits 1 when
// there is any, so it can guard a target in a script.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type fn struct {
	lines int
	pos   string
	name  string
}

func main() {
	n := flag.Int("n", 15, "how many functions to list")
	over := flag.Int("over", 0, "list only functions longer than this many lines; exit 1 if any")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	var fns []fn
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				t := fd.Recv.List[0].Type
				if s, ok := t.(*ast.StarExpr); ok {
					t = s.X
				}
				if ix, ok := t.(*ast.IndexExpr); ok {
					t = ix.X
				}
				if id, ok := t.(*ast.Ident); ok {
					name = id.Name + "." + name
				}
			}
			start := fset.Position(fd.Pos())
			end := fset.Position(fd.End())
			rel, _ := filepath.Rel(root, path)
			fns = append(fns, fn{end.Line - start.Line + 1, fmt.Sprintf("%s:%d", rel, start.Line), name})
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "funclen:", err)
		os.Exit(2)
	}
	sort.SliceStable(fns, func(i, j int) bool {
		if fns[i].lines != fns[j].lines {
			return fns[i].lines > fns[j].lines
		}
		return fns[i].pos < fns[j].pos
	})
	found := 0
	for i, f := range fns {
		if *over > 0 {
			if f.lines <= *over {
				break
			}
		} else if i >= *n {
			break
		}
		found++
		fmt.Printf("%4d %s %s\n", f.lines, f.pos, f.name)
	}
	if *over > 0 && found > 0 {
		os.Exit(1)
	}
}
