//! Telemetry ingestion for Fleetview.
//!
//! Robots stream 10 Hz samples (pose, battery, motor currents, error codes)
//! over MQTT. We keep raw samples for 90 days and hourly aggregates for
//! 3 years, as required by the data retention policy (section 3).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// Raw samples expire after 90 days (data retention policy).
pub const RAW_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Timeout,          // ERR_TIMEOUT
    Overcurrent,      // ERR_OVERCURRENT
    LocalizationLost, // ERR_LOCALIZATION_LOST
    BatteryComm,      // ERR_BATTERY_COMM
    DockAlign,        // ERR_DOCK_ALIGN
}

impl ErrorCode {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ERR_TIMEOUT" => Self::Timeout,
            "ERR_OVERCURRENT" => Self::Overcurrent,
            "ERR_LOCALIZATION_LOST" => Self::LocalizationLost,
            "ERR_BATTERY_COMM" => Self::BatteryComm,
            "ERR_DOCK_ALIGN" => Self::DockAlign,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Sample {
    pub robot_id: String,
    pub at: SystemTime,
    pub battery_pct: u8,
    pub motor_current_ma: [i32; 2],
    pub error: Option<ErrorCode>,
}

/// Hourly roll-up per robot, kept for three years.
#[derive(Debug, Default, Clone)]
pub struct HourlyAggregate {
    pub samples: u64,
    pub min_battery_pct: u8,
    pub max_motor_current_ma: i32,
    pub errors: HashMap<ErrorCode, u32>,
}

impl HourlyAggregate {
    pub fn add(&mut self, s: &Sample) {
        if self.samples == 0 || s.battery_pct < self.min_battery_pct {
            self.min_battery_pct = s.battery_pct;
        }
        self.samples += 1;
        let peak = s.motor_current_ma.iter().map(|c| c.abs()).max().unwrap_or(0);
        self.max_motor_current_ma = self.max_motor_current_ma.max(peak);
        if let Some(e) = s.error {
            *self.errors.entry(e).or_insert(0) += 1;
        }
    }

    /// A burst of more than 20 ERR_TIMEOUT events in an hour pages the
    /// firmware on-call (SEV2 in the incident-response runbook).
    pub fn should_page(&self) -> bool {
        self.errors.get(&ErrorCode::Timeout).copied().unwrap_or(0) > 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_burst_pages() {
        let mut agg = HourlyAggregate::default();
        for _ in 0..21 {
            agg.add(&Sample {
                robot_id: "NR-500-00031".into(),
                at: SystemTime::now(),
                battery_pct: 80,
                motor_current_ma: [1200, -1100],
                error: ErrorCode::parse("ERR_TIMEOUT"),
            });
        }
        assert!(agg.should_page());
        assert_eq!(agg.min_battery_pct, 80);
    }
}
