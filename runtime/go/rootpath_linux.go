package btfgen

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

const (
	osReleaseMax = 64 << 10 // bytes read from an os-release file
	maxLinks     = 40       // symlinks per lookup, Linux's MAXSYMLINKS
)

// ReadOSRelease reads <root>/etc/os-release, or <root>/usr/lib/os-release
// if the first does not exist (missing, a dangling symlink, or a path
// through a regular file), and parses it with ParseOSRelease. Any other
// failure (a FIFO, a directory, a symlink loop, a file over 64 KiB) is
// returned as it is, without trying the second file. root "" means "/".
// Paths are resolved inside root as HostFromRoot describes.
func ReadOSRelease(root string) (distro, version string, err error) {
	for _, name := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		var text []byte
		text, err = readInRoot(root, name, osReleaseMax)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		return ParseOSRelease(text)
	}
	return "", "", err
}

// readInRoot reads the regular file at abs inside root, at most max bytes
// (syscall.EFBIG if larger).
func readInRoot(root, abs string, max int64) ([]byte, error) {
	f, err := openInRoot(root, abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(f.Name(), st)
	}
	if st.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: syscall.EFBIG}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = &fs.PathError{Op: "read", Path: f.Name(), Err: syscall.EFBIG}
	}
	return data, err
}

func notRegular(path string, st fs.FileInfo) error {
	if st.IsDir() {
		return &fs.PathError{Op: "open", Path: path, Err: syscall.EISDIR}
	}
	return &Error{Err: ErrNotRegular, Msg: fmt.Sprintf("'%s': not a regular file", path)}
}

// openInRoot opens abs as if root were "/", walking one component at a
// time with Lstat and resolving each symlink by hand: an absolute target
// restarts at root, ".." at root stays at root. The last component must
// be a regular file; it is opened O_NONBLOCK|O_NOFOLLOW|O_NOCTTY. (The C
// library walks below directory descriptors instead, which also stands
// against a concurrent rename; the standard library has no readlinkat.)
func openInRoot(root, abs string) (*os.File, error) {
	if root == "" {
		root = "/"
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: root, Err: syscall.ENOTDIR}
	}
	var resolved []string // components below root, no symlinks, no ".."
	rest, links := abs, 0
	for {
		rest = strings.TrimLeft(rest, "/")
		if rest == "" {
			return nil, &fs.PathError{Op: "open", Path: abs, Err: syscall.EISDIR}
		}
		name, after, _ := strings.Cut(rest, "/")
		rest = strings.TrimLeft(after, "/")
		last := rest == ""
		if len(name) > 255 {
			return nil, &fs.PathError{Op: "open", Path: abs, Err: syscall.ENAMETOOLONG}
		}
		switch name {
		case ".":
			continue
		case "..":
			if len(resolved) > 0 {
				resolved = resolved[:len(resolved)-1]
			}
			continue
		}
		p := filepath.Join(append([]string{root}, append(resolved, name)...)...)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			if links++; links > maxLinks {
				return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.ELOOP}
			}
			target, err := os.Readlink(p)
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(target, "/") {
				resolved = resolved[:0]
			}
			rest = target + "/" + rest
		case last:
			if !fi.Mode().IsRegular() {
				return nil, notRegular(p, fi)
			}
			return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_NOCTTY, 0)
		case !fi.IsDir():
			return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.ENOTDIR}
		default:
			resolved = append(resolved, name)
		}
	}
}

// uname returns the machine and release of the running kernel.
func uname() (machine, release string, err error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", "", os.NewSyscallError("uname", err)
	}
	return cString(u.Machine[:]), cString(u.Release[:]), nil
}

// cString converts a NUL-terminated utsname field (int8 on some
// architectures, uint8 on others).
func cString[T int8 | uint8](field []T) string {
	b := make([]byte, 0, len(field))
	for _, c := range field {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

// KernelHasBTF reports whether the running kernel exposes its own BTF
// (/sys/kernel/btf/vmlinux exists and is readable), in which case no
// tailored BTF is needed. An error means the answer is unknown (e.g.
// permission denied).
func KernelHasBTF() (bool, error) { return kernelHasBTF("/sys/kernel/btf/vmlinux") }

func kernelHasBTF(path string) (bool, error) {
	f, err := os.Open(path)
	if err == nil {
		f.Close()
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil
	}
	return false, err
}
