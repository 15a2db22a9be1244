//go:build !linux

package btfgen

import (
	"errors"
	"runtime"
)

var errNotLinux = errors.New("btfgen: the running kernel can only be identified on Linux, not " + runtime.GOOS)

// ReadOSRelease is only implemented on Linux.
func ReadOSRelease(root string) (distro, version string, err error) {
	return "", "", errNotLinux
}

func uname() (machine, release string, err error) { return "", "", errNotLinux }

// KernelHasBTF is only implemented on Linux.
func KernelHasBTF() (bool, error) { return false, errNotLinux }
