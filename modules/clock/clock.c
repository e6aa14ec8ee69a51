/* clock.c — the clock and timer service: uptime and periodic timers.
 *
 * The core owns the hardware clock (TSC) and the tick; this module offers
 * the service other modules and, later, programs use: uptime in ms and
 * periodic callbacks run by one timer thread.
 */
#include <wisp/module.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/printk.h>
#include <locks/mutex.h>

#define TIMER_MAX 16

struct timer {
    void (*fn)(void *arg);
    void *arg;
    uint64_t period_ns, next_ns;
    bool active;
};

static struct mutex timers_lock = MUTEX_INIT(timers_lock, "clock.timers");
static struct timer timers[TIMER_MAX]; /* timers_lock */
static struct thread *timer_thread;
static volatile bool stopping;

/* Milliseconds since boot. Any context. */
uint64_t clock_uptime_ms(void) { return clock_ns() / NSEC_PER_MSEC; }
WISP_EXPORT(clock_uptime_ms);

/* Runs fn(arg) every period_ms in the timer thread; returns a timer id
 * (>= 0) or -1 when all timers are in use. Process context, may sleep. */
int timer_start(uint64_t period_ms, void (*fn)(void *arg), void *arg)
{
    int id = -1;
    mutex_lock(&timers_lock);
    for (int i = 0; i < TIMER_MAX && id < 0; i++) {
        if (!timers[i].active) {
            timers[i] = (struct timer){ fn, arg, period_ms * NSEC_PER_MSEC,
                                        clock_ns() + period_ms * NSEC_PER_MSEC, true };
            id = i;
        }
    }
    mutex_unlock(&timers_lock);
    return id;
}
WISP_EXPORT(timer_start);

/* Stops a timer; its callback is not running when this returns. Process
 * context, may sleep. */
void timer_stop(int id)
{
    if (id < 0 || id >= TIMER_MAX)
        return;
    mutex_lock(&timers_lock);
    timers[id].active = false;
    mutex_unlock(&timers_lock);
}
WISP_EXPORT(timer_stop);

static void run_timers(void *arg __unused)
{
    while (!stopping) {
        sched_sleep_ns(NSEC_PER_MSEC);
        uint64_t now = clock_ns();
        mutex_lock(&timers_lock);
        for (int i = 0; i < TIMER_MAX; i++) {
            struct timer *t = &timers[i];
            if (t->active && now >= t->next_ns) {
                t->next_ns += t->period_ns;
                t->fn(t->arg);
            }
        }
        mutex_unlock(&timers_lock);
    }
}

static int clock_start(void)
{
    timer_thread = thread_create("clock.timers", run_timers, NULL, -1);
    return timer_thread ? 0 : -1;
}
WISP_MODULE_INIT(clock_start);

static void clock_stop(void)
{
    stopping = true;
    thread_join(timer_thread);
}
WISP_MODULE_EXIT(clock_stop);
