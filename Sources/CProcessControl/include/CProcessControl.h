#ifndef MR_PROCESS_CONTROL_H
#define MR_PROCESS_CONTROL_H

#include <sys/types.h>

/// prctl(2) is variadic, which Swift cannot call, and code between fork(2) and exec(2) must not
/// touch the Swift runtime: these C helpers serve mrbench's agent supervisor.

/// PR_SET_PDEATHSIG: the calling process gets `sig` when the thread that created it exits
/// (the agent supervisor dies with mrbench, even when mrbench is killed with SIGKILL).
/// Returns 0, or -1 with errno set.
int mr_set_parent_death_signal(int sig);

/// fork(2), then in the child: standard error onto `stderr_fd`, execv(path, argv); if that fails,
/// a line on standard error and _exit(127). Returns the child's pid (or -1 with errno set).
pid_t mr_fork_exec(const char *path, char *const argv[], int stderr_fd);

/// Gives up the controlling terminal (TIOCNOTTY on /dev/tty), so that neither this process nor
/// its children can push input into the user's terminal (TIOCSTI) or open it; the process stays
/// in its session. Returns 0 (also when there was no controlling terminal), or -1 with errno set.
int mr_drop_controlling_terminal(void);

#endif
