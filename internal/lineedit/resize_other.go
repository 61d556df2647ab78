//go:build !unix

package lineedit

import "os"

// notifyResize returns a channel that never receives: without SIGWINCH the
// width is read anew at each key.
func notifyResize() (<-chan os.Signal, func()) { return nil, func() {} }
