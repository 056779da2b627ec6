/* mrbench.h: the C ABI of mrbench's environments (libMRBenchC).
 *
 * Build: swift build -c release --product MRBenchC   (.build/release/libMRBenchC.so)
 *
 * Conventions
 * - Every function that can fail returns an int status: MRBENCH_OK (0) or an error code below.
 *   The message of the last failure on the calling thread is mrbench_last_error(); it stays valid
 *   until the next failing call on that thread. Nothing ever aborts the process for bad input:
 *   unknown ids, NULL pointers, wrong buffer sizes, non-finite actions, a step after the episode
 *   ended, or a step before the first reset all come back as error codes.
 * - Handles are opaque. Each is freed exactly once with its *_free function.
 * - Buffers are owned by the caller; sizes are counts of elements, not bytes, and must match.
 * - Observations are float (32-bit); rewards double. Actions live in [-1, 1]^n: out-of-range
 *   components are clipped, non-finite ones refused (the state is then untouched).
 * - One environment handle must not be used by two threads at once; different handles may.
 * - Strings returned as `const char *` are UTF-8 JSON owned by the library: the catalogue lives
 *   for the whole process, an environment's info as long as the environment.
 */
#ifndef MRBENCH_H
#define MRBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
#define MRBENCH_OK 0
#define MRBENCH_E_UNKNOWN_ID 1      /* no environment or benchmark with that id */
#define MRBENCH_E_ARGUMENT 2        /* NULL pointer, wrong size, index out of range */
#define MRBENCH_E_ACTION 3          /* non-finite action component */
#define MRBENCH_E_STATE 4           /* step after the episode ended, or before the first reset */
#define MRBENCH_E_INTERNAL 5        /* the environment raised an error (assets, task set, physics) */

/* Episode status after a step (the `status` outputs). */
#define MRBENCH_RUNNING 0
#define MRBENCH_TERMINATED 1        /* the task ended the episode */
#define MRBENCH_TRUNCATED 2         /* the horizon was reached */
#define MRBENCH_DIVERGED 3          /* truncated: the simulation diverged */
#define MRBENCH_AUTORESET 4         /* vector environments: this slot was reset instead of stepped */

/* The ABI version (incremented on any incompatible change). This header describes version 1. */
int32_t mrbench_abi_version(void);

/* The last error message on this thread ("" if none). */
const char *mrbench_last_error(void);

/* Sets the assets directory (default: $MRBENCH_ASSETS, then the source tree's Assets/). */
int32_t mrbench_set_assets(const char *path);

/* JSON: {"abi", "version", "environments": [{"id", "observation_size", "action_size", "horizon",
 * "control_timestep", "tags"}], "benchmarks": [{"id", "summary", "metric", "adaptation_episodes",
 * "evaluation_episodes", "horizon", "hides_goal", "reward_scale"}]}. Never NULL. */
const char *mrbench_catalogue(void);

/* JSON for one benchmark's train split: {"id", "train_tasks" (count), "labels" (the stratum of each
 * train task: "reach", "push"…, never its goal), "hides_goal", "reward_scale", "protocol"
 * {"adaptation_episodes", "evaluation_episodes", "horizon", "metric"}, and the spaces every task
 * shares: "observation_size", "action_size", "observation_low", "observation_high" (null =
 * unbounded), "layout" [{"name", "start", "count"}]}. Spaces and layouts of single environments
 * are in mrbench_env_info (the catalogue lists sizes only, so that it needs no environment). The
 * test split is not reachable through this ABI: evaluation is `mrbench evaluate`.
 * On success *out is owned by the library for the process's lifetime. */
int32_t mrbench_benchmark_info(const char *benchmark, const char **out);

/* --- Single environments --- */
typedef struct mrbench_env mrbench_env;

/* A registered environment with its default task. */
int32_t mrbench_env_make(const char *id, mrbench_env **out);
/* An environment bound to train task `index` of a benchmark (0 <= index < train_tasks). Its task
 * and goal are opaque: no function returns them. */
int32_t mrbench_env_make_train(const char *benchmark, int64_t index, mrbench_env **out);
void mrbench_env_free(mrbench_env *env);

/* JSON: {"id", "observation_size", "action_size", "horizon", "observation_low", "observation_high"
 * (null = unbounded), "layout": [{"name", "start", "count"}], "goal": null or {"achieved": [start,
 * count], "desired": [start, count]}, "benchmark": null or {"id", "task_index", "label",
 * "hides_goal", "reward_scale"}}. Owned by the environment. NULL only for a NULL env. */
const char *mrbench_env_info(const mrbench_env *env);

/* Starts an episode. has_seed != 0: with `seed`. has_seed == 0: with the next seed of the chain
 * begun by the last seeded reset (seed s, then derive(s, 1), derive(s, 2)…; s = 0 if never
 * seeded). obs has obs_len == observation_size floats. */
int32_t mrbench_env_reset(mrbench_env *env, uint64_t seed, int32_t has_seed, float *obs, size_t obs_len);

/* One control step. status: MRBENCH_RUNNING / TERMINATED / TRUNCATED / DIVERGED; success: 1, 0,
 * or -1 where the task has no success condition. */
int32_t mrbench_env_step(mrbench_env *env, const float *action, size_t action_len,
                         float *obs, size_t obs_len, double *reward, int8_t *status, int8_t *success);

/* Goal-conditioned environments (info "goal" not null): the reward the environment pays for n
 * (achieved, desired) goal pairs, each goal_dim floats, row-major; out has n doubles. */
int32_t mrbench_env_goal_reward(const mrbench_env *env, const float *achieved, const float *desired,
                                size_t n, size_t goal_dim, double *out);

/* --- Vector environments: N environments stepped across threads in one call ---
 * Auto-reset follows Gymnasium's next-step convention: the step that ends an episode returns its
 * last observation and status; the following call resets that slot (its action is ignored) and
 * returns the reset observation with reward 0 and status MRBENCH_AUTORESET. Auto-resets take the
 * slot's next chained seed, exactly as mrbench_env_reset with has_seed == 0. */
typedef struct mrbench_vec mrbench_vec;

/* Builds a vector over n environments (all with the same sizes). The vector holds its own
 * references: the caller may free its handles afterwards. threads <= 0: one per core. The vector
 * keeps threads - 1 worker threads (the calling thread is the other) until mrbench_vec_free, which
 * joins them; between calls they spin for ~50 us, then sleep. One thread at a time may call a
 * vector: a call while another thread is inside one fails with MRBENCH_E_STATE. */
int32_t mrbench_vec_make(mrbench_env *const *envs, size_t n, int32_t threads, mrbench_vec **out);
void mrbench_vec_free(mrbench_vec *vec);
/* seeds: NULL (every slot continues its chain) or n seeds. obs: n * observation_size floats. */
int32_t mrbench_vec_reset(mrbench_vec *vec, const uint64_t *seeds, float *obs, size_t obs_len);
/* actions: n * action_size; obs: n * observation_size; reward, status, success: n each.
 * Every action that will be used is checked before any slot steps. */
int32_t mrbench_vec_step(mrbench_vec *vec, const float *actions, size_t actions_len,
                         float *obs, size_t obs_len, double *reward, int8_t *status, int8_t *success);

#ifdef __cplusplus
}
#endif
#endif /* MRBENCH_H */
