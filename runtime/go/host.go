package btfgen

import "fmt"

// Host identifies a kernel: what a lookup matches on. HostFromSystem and
// HostFromRoot fill one for the running kernel; tests and cross-checks
// may build one by hand.
type Host struct {
	Distro  string // os-release ID, lowercased: "ubuntu", "rhel"; "" if unknown
	Version string // os-release VERSION_ID: "20.04", "8.4"; "" if unknown
	Arch    string // uname machine as reported: "x86_64", "aarch64"
	Release string // uname release: "5.4.0-91-generic"
	// OSReleaseErr says why no os-release was read (nil if one was):
	// fs.ErrNotExist when neither file exists, ErrNotRegular for a FIFO,
	// ErrTooLong for an oversized ID, ... Informational: a lookup without
	// os-release falls back to the release rule.
	OSReleaseErr error
}

// String gives the host as btfgen-which -v prints the kernel.
func (h Host) String() string {
	return fmt.Sprintf("distro '%s' version '%s' arch '%s' release '%s'",
		h.Distro, h.Version, h.Arch, h.Release)
}

// HostFromSystem identifies the running kernel: uname(2) for arch and
// release, /etc/os-release (or /usr/lib/os-release if that does not
// exist) for distro and version. It fails only if uname fails or gives a
// value longer than the C library's fields; a missing os-release is
// reported in OSReleaseErr. In a container, /etc/os-release describes the
// image, not the host: see HostFromRoot.
func HostFromSystem() (Host, error) { return HostFromRoot("/") }

// HostFromRoot is HostFromSystem with the os-release files read inside
// root (e.g. "/host" where a container mounts the host's root), as after
// chroot(2): symlinks are resolved by hand below root (an absolute target
// starts again at root, ".." never climbs above it, at most 40 links),
// and only a regular file of at most 64 KiB is read. uname describes the
// running kernel whatever the root.
func HostFromRoot(root string) (Host, error) {
	machine, release, err := uname()
	if err != nil {
		return Host{}, err
	}
	if len(machine) >= maxArch {
		return Host{}, &Error{Err: ErrTooLong, Msg: fmt.Sprintf(
			"machine name '%.40s...' longer than %d bytes", machine, maxArch-1)}
	}
	if len(release) >= maxRelease {
		return Host{}, &Error{Err: ErrTooLong, Msg: fmt.Sprintf(
			"kernel release '%.40s...' longer than %d bytes", release, maxRelease-1)}
	}
	h := Host{Arch: machine, Release: release}
	h.Distro, h.Version, h.OSReleaseErr = ReadOSRelease(root)
	return h, nil
}
