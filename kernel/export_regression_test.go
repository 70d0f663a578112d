package kernel

// SetAfterErrorReplyHook makes the shell worker call f after it sends an
// error execute_reply, and returns a function removing it. Not for
// parallel tests.
func SetAfterErrorReplyHook(f func()) (restore func()) {
	old := testHookAfterErrorReply
	testHookAfterErrorReply = f
	return func() { testHookAfterErrorReply = old }
}
