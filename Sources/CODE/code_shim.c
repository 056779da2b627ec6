#include "code_shim.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

static pthread_once_t mr_once = PTHREAD_ONCE_INIT;
static _Thread_local int mr_thread_ready = 0;
static _Thread_local jmp_buf *mr_guard = NULL;
static _Thread_local char mr_error_text[1024];
static _Thread_local char mr_message_text[1024];
static _Thread_local unsigned long mr_message_total = 0;

static void mr_format(char *buffer, size_t size, int num, const char *fmt, va_list ap) {
    int n = snprintf(buffer, size, "ODE %d: ", num);
    if (n < 0 || (size_t)n >= size) { return; }
    vsnprintf(buffer + n, size - (size_t)n, fmt, ap);
}

/* dError and dDebug end the process once their handler returns, so inside a guarded call the
   handler jumps back to the guard instead of returning. Outside one, it leaves a readable line. */
static void mr_fatal_handler(int num, const char *fmt, va_list ap) {
    mr_format(mr_error_text, sizeof mr_error_text, num, fmt, ap);
    if (mr_guard != NULL) {
        longjmp(*mr_guard, 1);
    }
    fprintf(stderr, "mrbench: unrecoverable ODE error outside a guarded call: %s\n", mr_error_text);
}

static void mr_message_handler(int num, const char *fmt, va_list ap) {
    mr_format(mr_message_text, sizeof mr_message_text, num, fmt, ap);
    mr_message_total += 1;
}

static void mr_init_once(void) {
    dInitODE2(0);
    dSetErrorHandler(mr_fatal_handler);
    dSetDebugHandler(mr_fatal_handler);
    dSetMessageHandler(mr_message_handler);
}

void mr_ode_prepare_thread(void) {
    if (mr_thread_ready) { return; }
    pthread_once(&mr_once, mr_init_once);
    dAllocateODEDataForThread((unsigned int)dAllocateMaskAll);
    mr_thread_ready = 1;
}

static int mr_aabb_overlap(dGeomID a, dGeomID b) {
    dReal x[6], y[6];
    dGeomGetAABB(a, x);
    dGeomGetAABB(b, y);
    return !(x[1] < y[0] || y[1] < x[0] || x[3] < y[2] || y[3] < x[2] || x[5] < y[4] || y[5] < x[4]);
}

int mr_ode_substep(dWorldID world, dJointGroupID contactGroup,
                   const mr_contact_pair *pairs, int pairCount,
                   double stepSize, int quick, mr_substep_report *report) {
    jmp_buf buffer;
    jmp_buf *previous = mr_guard;
    /* volatile: read after a longjmp */
    volatile int contacts = 0;
    volatile double deepest = 0.0;
    mr_guard = &buffer;
    if (setjmp(buffer) != 0) {
        mr_guard = previous;
        dJointGroupEmpty(contactGroup);
        if (report) { report->contacts = contacts; report->maxPenetration = deepest; }
        return 1;
    }
    dContactGeom found[16];
    for (int i = 0; i < pairCount; i++) {
        const mr_contact_pair *p = &pairs[i];
        /* A frozen (disabled) body touching only static or frozen geometry takes no part in the
           step: its contacts would be ignored, so they are not made. */
        if ((p->bodyA == NULL || !dBodyIsEnabled(p->bodyA)) && (p->bodyB == NULL || !dBodyIsEnabled(p->bodyB))) { continue; }
        if (!mr_aabb_overlap(p->geomA, p->geomB)) { continue; }
        int limit = p->maxContacts < 1 ? 1 : (p->maxContacts > 16 ? 16 : p->maxContacts);
        int n = dCollide(p->geomA, p->geomB, limit, found, sizeof(dContactGeom));
        for (int k = 0; k < n; k++) {
            dContact contact;
            memset(&contact, 0, sizeof contact);
            contact.surface.mode = dContactApprox1 | dContactSoftERP | dContactSoftCFM;
            if (p->bounce > 0) {
                contact.surface.mode |= dContactBounce;
                contact.surface.bounce = p->bounce;
                contact.surface.bounce_vel = 0.01;
            }
            contact.surface.mu = p->mu;
            if (p->slip > 0) {
                contact.surface.mode |= dContactSlip1 | dContactSlip2;
                contact.surface.slip1 = p->slip;
                contact.surface.slip2 = p->slip;
            }
            if (p->planeNormal[0] != 0 || p->planeNormal[1] != 0 || p->planeNormal[2] != 0) {
                const dReal *n = p->planeNormal, *c = found[k].normal;
                dReal f[3] = { n[1] * c[2] - n[2] * c[1], n[2] * c[0] - n[0] * c[2], n[0] * c[1] - n[1] * c[0] };
                dReal len = sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
                if (len > 1e-9) {
                    contact.surface.mode |= dContactFDir1 | dContactMu2;
                    contact.surface.mu2 = 0;
                    contact.fdir1[0] = f[0] / len; contact.fdir1[1] = f[1] / len; contact.fdir1[2] = f[2] / len;
                }
            }
            contact.surface.soft_erp = p->softERP;
            contact.surface.soft_cfm = p->softCFM;
            contact.geom = found[k];
            if (found[k].depth > deepest) { deepest = found[k].depth; }
            dJointID joint = dJointCreateContact(world, contactGroup, &contact);
            dJointAttach(joint, p->bodyA, p->bodyB);
            contacts += 1;
        }
    }
    if (quick) {
        dWorldQuickStep(world, stepSize);
    } else {
        dWorldStep(world, stepSize);
    }
    dJointGroupEmpty(contactGroup);
    mr_guard = previous;
    if (report) { report->contacts = contacts; report->maxPenetration = deepest; }
    return 0;
}

const char *mr_ode_last_error(void) { return mr_error_text; }
unsigned long mr_ode_message_count(void) { return mr_message_total; }
const char *mr_ode_last_message(void) { return mr_message_text; }
