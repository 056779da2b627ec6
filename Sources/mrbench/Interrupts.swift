#if canImport(Glibc)
import Glibc
#endif

/// Makes sure SIGINT reaches mrbench: a process can inherit it blocked from whatever started it
/// (a test runner, a job system), and then a Ctrl-C or `kill -INT` would stay pending for ever.
/// Called before the worker threads start, which inherit the mask.
func unblockInterrupts() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}
