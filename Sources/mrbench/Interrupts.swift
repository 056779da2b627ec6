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

/// Set by SIGINT (and, for evaluate, SIGTERM): evaluation stops after the trials in flight and
/// keeps its journal (and a wait on an external agent ends at once); training stops at the end of
/// the iteration with a checkpoint.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0
/// The signal that set `interruptRequested`.
nonisolated(unsafe) var interruptSignal: sig_atomic_t = 0

/// The exit status of a run stopped by `interruptSignal`: 130 after SIGINT, 143 after SIGTERM.
var interruptExitCode: Int32 { interruptSignal == SIGTERM ? 143 : 130 }

/// The first Ctrl-C (or SIGTERM, with `terminate`) sets `interruptRequested` (and MRScoring's
/// `agentWaitInterrupted`); a second one kills every agent's process group and exits at once
/// (128 + the signal). Signals are unblocked first (`unblockInterrupts`).
func installInterruptHandler(terminate: Bool = false) {
    interruptRequested = 0
    interruptSignal = 0
    ensureAgentProcessGroupTable()
    unblockInterrupts()
    let handler: @convention(c) (Int32) -> Void = { sig in
        if interruptRequested != 0 { killAgentProcessGroups(); _exit(128 + sig) }
        interruptSignal = sig
        interruptRequested = 1
        agentWaitInterrupted = 1
    }
    signal(SIGINT, handler)
    if terminate { signal(SIGTERM, handler) }
}

func removeInterruptHandler() { signal(SIGINT, SIG_DFL); signal(SIGTERM, SIG_DFL) }
