package btfgen

import "errors"

// Sentinel errors, for errors.Is. Their texts are those of the C
// library's btfgen_strerror().
var (
	// ErrNoMatch: no index entry describes the kernel.
	ErrNoMatch = errors.New("no tailored BTF matches the running kernel")
	// ErrAmbiguous: several entries with different content match and
	// nothing tells them apart.
	ErrAmbiguous = errors.New("several different tailored BTFs match the running kernel")
	// ErrBadIndex: the JSON index is malformed.
	ErrBadIndex = errors.New("malformed BTF index")
	// ErrTooLong: a value exceeds the C library's fixed field size (an
	// os-release ID or VERSION_ID of 64 bytes or more, a machine name of
	// 32, a release of 256).
	ErrTooLong = errors.New("value too long")
	// ErrNotRegular: an os-release file or index is a FIFO, socket or
	// device, which is never read (reading could block).
	ErrNotRegular = errors.New("not a regular file")
	// ErrInvalidHost: the Host lacks the kernel release or arch.
	ErrInvalidHost = errors.New("invalid host")
)

// Error is a failure with the one-line message the C library would give
// (naming the files and values involved). Its Err is one of the sentinel
// errors above, or a file system error.
type Error struct {
	Err error
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }
