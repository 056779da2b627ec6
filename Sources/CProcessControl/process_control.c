#include "CProcessControl.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int mr_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0UL, 0UL, 0UL);
}

pid_t mr_fork_exec(const char *path, char *const argv[], int stderr_fd) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    // The child: only async-signal-safe calls from here on.
    if (stderr_fd != 2) { dup2(stderr_fd, 2); close(stderr_fd); }
    signal(SIGTERM, SIG_DFL);
    execv(path, argv);
    const char *why = strerror(errno);
    const char *msg = "mrbench: cannot execute the agent program: ";
    (void)!write(2, msg, strlen(msg));
    (void)!write(2, why, strlen(why));
    (void)!write(2, "\n", 1);
    _exit(127);
}

int mr_drop_controlling_terminal(void) {
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return (errno == ENXIO || errno == ENOENT) ? 0 : -1;
    int r = ioctl(fd, TIOCNOTTY);
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}
