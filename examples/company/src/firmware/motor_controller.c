/*
 * motor_controller.c - drive-motor control loop for the NR-200 / NR-500
 * (Motor Controller Board v2, SKU NR-MTR-CTRL-2).
 *
 * The main CPU sends velocity set-points to this board over CAN at 100 Hz and
 * expects a heartbeat reply within HEARTBEAT_TIMEOUT_MS. If the heartbeat is
 * missed the main CPU raises ERR_TIMEOUT and performs a controlled stop; this
 * board independently ramps the motors down if it stops hearing set-points,
 * so a crashed main CPU can never leave the wheels spinning.
 *
 * Copyright (c) 2019-2024 Northwind Robotics, Inc. Confidential.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "can_bus.h"
#include "foc.h"
#include "hal_timer.h"
#include "safety.h"

#define CONTROL_HZ            10000u   /* FOC current loop */
#define VELOCITY_HZ           1000u    /* velocity PI loop */
#define HEARTBEAT_TIMEOUT_MS  50u      /* see incident-response runbook, ERR_TIMEOUT */
#define SETPOINT_STALE_MS     30u
#define MAX_PHASE_CURRENT_MA  18000
#define OVERCURRENT_WINDOW_MS 20u
#define RAMP_DOWN_RPM_PER_MS  4

typedef enum {
    MC_OK = 0,
    ERR_TIMEOUT = 0x10,        /* no set-point / heartbeat within the deadline */
    ERR_OVERCURRENT = 0x11,    /* phase current above limit for > 20 ms */
    ERR_ENCODER = 0x12,        /* encoder count jumped or stalled while driving */
    ERR_OVERTEMP = 0x13,       /* MOSFET temperature above 105 C */
    ERR_BATTERY_COMM = 0x14    /* BMS silent on CAN */
} mc_error_t;

typedef struct {
    int32_t  target_rpm;
    int32_t  measured_rpm;
    int32_t  integrator;
    uint32_t last_setpoint_ms;
    uint32_t overcurrent_since_ms;
    bool     overcurrent_active;
    mc_error_t error;
} wheel_state_t;

static wheel_state_t wheels[2];          /* 0 = left, 1 = right */
static const int32_t KP = 12, KI = 3;    /* tuned on the NR-500 with 500 kg towed load */

/* Called from the CAN RX interrupt for message id 0x120 (velocity set-point). */
void mc_on_setpoint(const can_frame_t *frame)
{
    uint32_t now = hal_millis();
    for (int w = 0; w < 2; ++w) {
        int16_t rpm;
        memcpy(&rpm, &frame->data[2 * w], sizeof rpm);
        wheels[w].target_rpm = rpm;
        wheels[w].last_setpoint_ms = now;
    }
}

/* Send heartbeat 0x121 with our error state; the main CPU watches for it. */
static void send_heartbeat(void)
{
    can_frame_t hb = { .id = 0x121, .len = 4 };
    hb.data[0] = (uint8_t)wheels[0].error;
    hb.data[1] = (uint8_t)wheels[1].error;
    hb.data[2] = (uint8_t)(hal_millis() & 0xff);
    hb.data[3] = safety_estop_active() ? 1 : 0;
    can_send(&hb);
}

static void ramp_towards_zero(wheel_state_t *w)
{
    if (w->target_rpm > 0)
        w->target_rpm = w->target_rpm > RAMP_DOWN_RPM_PER_MS ? w->target_rpm - RAMP_DOWN_RPM_PER_MS : 0;
    else if (w->target_rpm < 0)
        w->target_rpm = w->target_rpm < -RAMP_DOWN_RPM_PER_MS ? w->target_rpm + RAMP_DOWN_RPM_PER_MS : 0;
}

/*
 * Velocity loop, 1 kHz. Firmware 4.7.1 had a bug where the watchdog was fed
 * before the stale-set-point check, so a CAN bus glitch produced bursts of
 * ERR_TIMEOUT on the main CPU without this board ramping down. Fixed in
 * 4.7.2 by checking staleness first (SUP-3318, Fjord Foods cold store).
 */
void mc_velocity_tick(void)
{
    uint32_t now = hal_millis();

    for (int i = 0; i < 2; ++i) {
        wheel_state_t *w = &wheels[i];

        if (now - w->last_setpoint_ms > SETPOINT_STALE_MS) {
            w->error = ERR_TIMEOUT;
            ramp_towards_zero(w);
        } else if (w->error == ERR_TIMEOUT) {
            w->error = MC_OK;   /* set-points resumed */
        }

        int32_t current_ma = foc_phase_current_ma(i);
        if (current_ma > MAX_PHASE_CURRENT_MA) {
            if (!w->overcurrent_active) {
                w->overcurrent_active = true;
                w->overcurrent_since_ms = now;
            } else if (now - w->overcurrent_since_ms > OVERCURRENT_WINDOW_MS) {
                w->error = ERR_OVERCURRENT;
                foc_disable(i);
                continue;
            }
        } else {
            w->overcurrent_active = false;
        }

        if (safety_estop_active()) {
            w->target_rpm = 0;
            w->integrator = 0;
            foc_brake(i);
            continue;
        }

        w->measured_rpm = foc_encoder_rpm(i);
        int32_t err = w->target_rpm - w->measured_rpm;
        w->integrator += err;
        if (w->integrator > 200000) w->integrator = 200000;
        if (w->integrator < -200000) w->integrator = -200000;
        foc_set_torque(i, (KP * err + (KI * w->integrator) / 100) / 16);
    }

    safety_feed_watchdog();
    if (now % 10 == 0)
        send_heartbeat();
}
