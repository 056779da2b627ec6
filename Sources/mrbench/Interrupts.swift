import MRScoring
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure SIGINT (and SIGTERM) reach mrbench: a process can inherit it blocked from whatever started it
/// (a test runner, a job system), and then a Ctrl-C or `kill -INT` would stay pending for ever.
/// Called before the worker threads start, which inherit the mask.
func unblockInterrupts() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

/// Set by SIGINT: evaluation stops after the trials in flight and keeps its journal (and a wait on
/// an external agent ends at once); training stops at the end of the iteration with a checkpoint.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// The first Ctrl-C sets `interruptRequested` (and MRScoring's `agentWaitInterrupted`); a second
/// one exits at once (130). Signals are unblocked first (`unblockInterrupts`).
func installInterruptHandler() {
    interruptRequested = 0
    unblockInterrupts()
    signal(SIGINT) { _ in
        if interruptRequested != 0 { _exit(130) }
        interruptRequested = 1
        agentWaitInterrupted = 1
    }
}

func removeInterruptHandler() { signal(SIGINT, SIG_DFL) }
