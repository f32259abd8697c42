package traces

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// The files of a trace are given as paths: a file (plain, gzip, a tar archive, or a
// gzip'd tar archive — detected from the content, not the name) or a directory, which
// is walked recursively in lexical order (hidden files are skipped). Every member of
// every archive is a separate input whose name, for table matching and error
// messages, is "archive:member".

// expandPaths lists the regular files under paths, in a deterministic order:
// paths in the order given, directory contents in lexical order.
func expandPaths(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, badf("no input paths given")
	}
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}

// member is one logical input: a plain file, or one member of an archive.
type member struct {
	name string    // display name: path, or "archive:member"
	r    io.Reader // decompressed content
}

// walkInputs opens every file under paths and calls fn for each logical input, in
// order. fn must consume what it needs of m.r before returning. A gzip or tar
// error (a truncated file) is reported as bad input naming the file.
func walkInputs(paths []string, fn func(m member) error) error {
	files, err := expandPaths(paths)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := walkFile(path, fn); err != nil {
			return err
		}
	}
	return nil
}

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

func walkFile(path string, fn func(m member) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	defer f.Close()
	var r io.Reader = f
	br := bufio.NewReaderSize(r, 256<<10)
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return &InputError{File: path, Line: 0, Reason: "bad_gzip", Msg: "bad gzip header: " + err.Error()}
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	if isTar(br) {
		tr := tar.NewReader(br)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return &InputError{File: path, Reason: "bad_archive", Msg: "reading archive: " + err.Error()}
			}
			if h.Typeflag != tar.TypeReg {
				continue
			}
			base := filepath.Base(h.Name)
			if strings.HasPrefix(base, ".") || strings.HasPrefix(base, "._") {
				continue
			}
			name := path + ":" + h.Name
			inner := bufio.NewReaderSize(tr, 256<<10)
			var mr io.Reader = inner
			if head, _ := inner.Peek(2); bytes.Equal(head, gzipMagic) {
				zr, err := gzip.NewReader(inner)
				if err != nil {
					return &InputError{File: name, Reason: "bad_gzip", Msg: "bad gzip header: " + err.Error()}
				}
				mr = zr
			}
			if err := fn(newMember(name, mr)); err != nil {
				return err
			}
		}
	}
	return fn(newMember(path, br))
}

// utf8BOM is the byte order mark some tools write at the start of a UTF-8 file.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// newMember returns the input named name reading r, with a leading UTF-8 byte
// order mark removed: every format sees its first line as written, whichever
// editor or exporter produced the file. (A BOM in the middle of a file is data.)
func newMember(name string, r io.Reader) member {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	if head, _ := br.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return member{name: name, r: br}
}

// isTar reports whether br starts with a POSIX or GNU tar header.
func isTar(br *bufio.Reader) bool {
	head, _ := br.Peek(512)
	return len(head) == 512 && bytes.Equal(head[257:262], []byte("ustar"))
}

// readError turns an error met while reading the content of file (after line) into
// bad input: a truncated or corrupt compressed file.
func readError(file string, line int64, err error) error {
	var ie *InputError
	if errors.As(err, &ie) {
		return err
	}
	reason := "read_error"
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) {
		reason, msg = "truncated", "file is truncated (unexpected end of compressed data)"
	} else if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) {
		reason = "bad_gzip"
	}
	return &InputError{File: file, Line: line + 1, Reason: reason, Msg: msg}
}
