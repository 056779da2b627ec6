#ifndef MRBENCH_CODE_SHIM_H
#define MRBENCH_CODE_SHIM_H

#include <ode/ode.h>

/// One candidate collision pair with its contact surface, resolved when the model is built.
typedef struct {
    dGeomID geomA;
    dGeomID geomB;
    dBodyID bodyA;   /* may be NULL (static world geometry) */
    dBodyID bodyB;
    double mu;       /* Coulomb friction */
    double softERP;
    double softCFM;
    double bounce;   /* restitution, 0 = none */
    double slip;     /* force-dependent slip (m/s per N) in both friction directions, 0 = none */
    int maxContacts; /* 1...16 */
    /* Planar world: if planeNormal is non-zero, friction acts only within the plane (one friction
       row along planeNormal x contact normal; the row along planeNormal would carry no force). */
    double planeNormal[3];
} mr_contact_pair;

/// What one guarded substep reports.
typedef struct {
    int contacts;          /* contact joints created */
    double maxPenetration; /* deepest contact depth seen (m) */
} mr_substep_report;

/// Initialise ODE once per process (thread-safe) and allocate ODE's per-thread data for the calling
/// thread (cheap after the first call on a thread). Installs handlers so ODE never writes to stderr
/// or aborts on its own while a guarded call runs.
void mr_ode_prepare_thread(void);

/// One substep: collide the listed pairs (AABB test, then dCollide), create contact joints, step the
/// world with dWorldStep (quick == 0) or dWorldQuickStep, empty the contact group.
/// Returns 0 on success, 1 if ODE raised an error or debug assertion during the call (the message is
/// in mr_ode_last_error(); the world must be considered unusable afterwards).
int mr_ode_substep(dWorldID world, dJointGroupID contactGroup,
                   const mr_contact_pair *pairs, int pairCount,
                   double stepSize, int quick, mr_substep_report *report);

/// Text of the last ODE error or debug message seen on this thread ("" if none).
const char *mr_ode_last_error(void);

/// Number of informational ODE messages (e.g. "LCP internal error") seen on this thread, and the last one.
unsigned long mr_ode_message_count(void);
const char *mr_ode_last_message(void);

#endif
