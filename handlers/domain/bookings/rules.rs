//! The booking rules, in one place and free of I/O: time slots, opening
//! hours in the project's time zone (DST-correct), closures, buffers,
//! capacity. The conflict check (`check`) and the availability search
//! (`free_starts`) are built on the same two functions, `open_intervals`
//! and `saturated`, so they can never disagree. Times are whole seconds
//! since the Unix epoch inside this module.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch.
pub type Secs = i64;

/// The longest booking any resource can allow.
pub const MAX_SLOT_MINUTES: u32 = 24 * 60;
/// Bookings live between these years; it keeps all arithmetic in range.
const FIRST_YEAR: i16 = 2000;
const LAST_YEAR: i16 = 2199;

/// A booked time: start before end, whole minutes, at most a day long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSlot {
    start: Timestamp,
    end: Timestamp,
}

impl TimeSlot {
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, String> {
        for ts in [start, end] {
            let year = ts.to_zoned_datetime(TimeZone::UTC).year();
            if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
                return Err(format!("must lie between {FIRST_YEAR} and {LAST_YEAR}"));
            }
            if ts.as_second() % 60 != 0 || ts.subsec_nanosecond() != 0 {
                return Err("start and end must be whole minutes".into());
            }
        }
        if start >= end {
            return Err("end must be after start".into());
        }
        if (end.as_second() - start.as_second()) / 60 > i64::from(MAX_SLOT_MINUTES) {
            return Err(format!("may last at most {MAX_SLOT_MINUTES} minutes"));
        }
        Ok(TimeSlot { start, end })
    }

    /// Parse RFC 3339 texts.
    pub fn parse(start: &str, end: &str) -> Result<Self, String> {
        let s = crate::domain::time::parse(start)?;
        let e = crate::domain::time::parse(end)?;
        Self::new(s, e)
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }
    pub fn end(&self) -> Timestamp {
        self.end
    }
    pub fn secs(&self) -> (Secs, Secs) {
        (self.start.as_second(), self.end.as_second())
    }
    pub fn minutes(&self) -> i64 {
        (self.end.as_second() - self.start.as_second()) / 60
    }
    /// The same slot moved by whole days (recurring bookings).
    pub fn shifted_days(&self, days: i64) -> Result<Self, String> {
        let shift = jiff::SignedDuration::from_hours(24 * days);
        let s = self.start.checked_add(shift).map_err(|e| e.to_string())?;
        let e = self.end.checked_add(shift).map_err(|e| e.to_string())?;
        Self::new(s, e)
    }
}

/// A time of day as `HH:MM`; `24:00` closes at midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DayTime(u16);

impl DayTime {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a time of day HH:MM (00:00 to 24:00)");
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if m > 59 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(DayTime(h * 60 + m))
    }
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl TryFrom<String> for DayTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<DayTime> for String {
    fn from(t: DayTime) -> String {
        format!("{:02}:{:02}", t.0 / 60, t.0 % 60)
    }
}

/// One opening window of a day, `from` before `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub from: DayTime,
    pub to: DayTime,
}

/// Opening windows per weekday (`monday` … `sunday`); a missing weekday is
/// closed. Times are local to the project's time zone.
pub type OpeningHours = BTreeMap<WeekdayName, Vec<Window>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<Weekday> for WeekdayName {
    fn from(w: Weekday) -> Self {
        match w {
            Weekday::Monday => WeekdayName::Monday,
            Weekday::Tuesday => WeekdayName::Tuesday,
            Weekday::Wednesday => WeekdayName::Wednesday,
            Weekday::Thursday => WeekdayName::Thursday,
            Weekday::Friday => WeekdayName::Friday,
            Weekday::Saturday => WeekdayName::Saturday,
            Weekday::Sunday => WeekdayName::Sunday,
        }
    }
}

/// Checks a weekday's windows: each non-empty, none overlapping.
pub fn check_windows(windows: &[Window]) -> Result<(), String> {
    let mut sorted = windows.to_vec();
    sorted.sort_by_key(|w| w.from);
    for w in &sorted {
        if w.from >= w.to {
            return Err("each window's `from` must be before its `to`".into());
        }
    }
    if sorted.windows(2).any(|p| p[0].to > p[1].from) {
        return Err("windows of a day may not overlap".into());
    }
    Ok(())
}

/// What the rules need to know about one resource.
#[derive(Debug, Clone)]
pub struct ResourceRules {
    pub capacity: u32,
    pub buffer_minutes: u32,
    pub min_minutes: u32,
    pub max_minutes: u32,
    /// `None`: always open.
    pub opening_hours: Option<OpeningHours>,
    pub closed_dates: BTreeSet<Date>,
    pub tz: TimeZone,
}

impl ResourceRules {
    fn buffer(&self) -> Secs {
        i64::from(self.buffer_minutes) * 60
    }
}

/// A booking occupying a resource: `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupied {
    pub booking_id: String,
    pub start: Secs,
    pub end: Secs,
}

/// Why a slot cannot be booked on a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Shorter or longer than the resource allows.
    Length { min: u32, max: u32 },
    /// Not inside the opening hours, or on a closed date.
    Closed,
    /// Over capacity; the bookings in the way.
    Conflict(Vec<Occupied>),
}

fn local_date(ts: Secs, tz: &TimeZone) -> Option<Date> {
    Timestamp::from_second(ts)
        .ok()
        .map(|t| t.to_zoned_datetime(tz.clone()).date())
}

/// The instant a local date and time of day happen; in the spring-forward
/// gap jiff moves forward, at the fall-back overlap it takes the earlier.
fn instant(date: Date, minutes: u16, tz: &TimeZone) -> Option<Secs> {
    let (date, minutes) = if minutes >= 24 * 60 {
        (date.tomorrow().ok()?, 0)
    } else {
        (date, minutes)
    };
    let dt = date.at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0);
    dt.to_zoned_datetime(tz.clone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// The merged open intervals `[open, close)` that meet `[from, to)`.
pub fn open_intervals(r: &ResourceRules, from: Secs, to: Secs) -> Vec<(Secs, Secs)> {
    let always = vec![Window {
        from: DayTime(0),
        to: DayTime(24 * 60),
    }];
    let (Some(first), Some(last)) = (local_date(from, &r.tz), local_date(to, &r.tz)) else {
        return Vec::new();
    };
    let mut out: Vec<(Secs, Secs)> = Vec::new();
    let mut day = first.yesterday().unwrap_or(first);
    loop {
        if !r.closed_dates.contains(&day) {
            let windows = match &r.opening_hours {
                None => Some(&always),
                Some(h) => h.get(&WeekdayName::from(day.weekday())),
            };
            for w in windows.into_iter().flatten() {
                let (Some(o), Some(c)) = (
                    instant(day, w.from.minutes(), &r.tz),
                    instant(day, w.to.minutes(), &r.tz),
                ) else {
                    continue;
                };
                if o < c && c > from && o < to {
                    match out.last_mut() {
                        Some(prev) if prev.1 >= o => prev.1 = prev.1.max(c),
                        _ => out.push((o, c)),
                    }
                }
            }
        }
        if day > last {
            break;
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    out
}

/// Where the resource is full: the spans in which at least `capacity`
/// bookings, each stretched by the buffer after it, overlap.
pub fn saturated(r: &ResourceRules, occupied: &[Occupied]) -> Vec<(Secs, Secs)> {
    let b = r.buffer();
    let mut events: Vec<(Secs, i32)> = occupied
        .iter()
        .flat_map(|o| [(o.start, 1), (o.end + b, -1)])
        .collect();
    // Ends sort before starts at the same instant: touching is no overlap.
    events.sort();
    let cap = i64::from(r.capacity.max(1));
    let mut out: Vec<(Secs, Secs)> = Vec::new();
    let mut count: i64 = 0;
    let mut since = 0;
    for (t, delta) in events {
        let before = count;
        count += i64::from(delta);
        if before < cap && count >= cap {
            since = t;
        } else if before >= cap && count < cap && since < t {
            match out.last_mut() {
                Some(prev) if prev.1 >= since => prev.1 = t,
                _ => out.push((since, t)),
            }
        }
    }
    out
}

/// May `slot` be booked on the resource beside the `occupied` bookings?
pub fn check(r: &ResourceRules, occupied: &[Occupied], slot: &TimeSlot) -> Result<(), Refusal> {
    let minutes = slot.minutes();
    if minutes < i64::from(r.min_minutes) || minutes > i64::from(r.max_minutes) {
        return Err(Refusal::Length {
            min: r.min_minutes,
            max: r.max_minutes,
        });
    }
    let (s, e) = slot.secs();
    if !open_intervals(r, s, e)
        .iter()
        .any(|&(o, c)| o <= s && e <= c)
    {
        return Err(Refusal::Closed);
    }
    let b = r.buffer();
    let full = saturated(r, occupied);
    if full.iter().any(|&(x, y)| s < y && x < e + b) {
        // The bookings in the way: those overlapping the slot, buffers included.
        let mut blocking: Vec<Occupied> = occupied
            .iter()
            .filter(|o| s < o.end + b && o.start < e + b)
            .cloned()
            .collect();
        blocking.sort_by_key(|o| o.start);
        return Err(Refusal::Conflict(blocking));
    }
    Ok(())
}

/// The closed intervals `[first, last]` of start times at which a booking of
/// `minutes` passes `check` and lies within `[from, to)`.
pub fn free_starts(
    r: &ResourceRules,
    occupied: &[Occupied],
    from: Secs,
    to: Secs,
    minutes: u32,
) -> Vec<(Secs, Secs)> {
    if minutes < r.min_minutes || minutes > r.max_minutes {
        return Vec::new();
    }
    let d = i64::from(minutes) * 60;
    let b = r.buffer();
    let full = saturated(r, occupied);
    let mut out = Vec::new();
    for (o, c) in open_intervals(r, from, to) {
        // Starts on whole minutes only, like every TimeSlot.
        let mut lo = round_up(o.max(from));
        let hi = round_down(c.min(to) - d);
        // Forbidden starts: (x - d - b, y) for each saturated span [x, y).
        for &(x, y) in &full {
            if y <= lo || x - d - b >= hi {
                continue;
            }
            let gap_end = round_down(x - d - b);
            if lo <= gap_end.min(hi) {
                out.push((lo, gap_end.min(hi)));
            }
            lo = lo.max(round_up(y));
        }
        if lo <= hi {
            out.push((lo, hi));
        }
    }
    out
}

fn round_up(t: Secs) -> Secs {
    t.div_euclid(60) * 60 + if t.rem_euclid(60) == 0 { 0 } else { 60 }
}

fn round_down(t: Secs) -> Secs {
    t.div_euclid(60) * 60
}

/// The start times allowed by both lists of closed intervals.
pub fn intersect(a: &[(Secs, Secs)], b: &[(Secs, Secs)]) -> Vec<(Secs, Secs)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo <= hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Secs {
        s.parse::<Timestamp>().expect("ts").as_second()
    }

    fn rules(cap: u32, buffer: u32, hours: Option<OpeningHours>) -> ResourceRules {
        ResourceRules {
            capacity: cap,
            buffer_minutes: buffer,
            min_minutes: 15,
            max_minutes: 600,
            opening_hours: hours,
            closed_dates: BTreeSet::new(),
            tz: TimeZone::get("Europe/Vienna").expect("tz"),
        }
    }

    fn sundays(from: &str, to: &str) -> OpeningHours {
        BTreeMap::from([(
            WeekdayName::Sunday,
            vec![Window {
                from: DayTime::parse(from).expect("time"),
                to: DayTime::parse(to).expect("time"),
            }],
        )])
    }

    #[test]
    fn opening_hours_follow_the_vienna_clock_change_nights() {
        // 01:00-05:00 local on Sunday: 5 real hours when the clocks go back
        // (2027-10-31), 3 when they go forward (2027-03-28), 4 otherwise.
        let r = rules(1, 0, Some(sundays("01:00", "05:00")));
        let back = open_intervals(&r, ts("2027-10-30T12:00:00Z"), ts("2027-10-31T12:00:00Z"));
        assert_eq!(
            back,
            vec![(ts("2027-10-30T23:00:00Z"), ts("2027-10-31T04:00:00Z"))]
        );
        let fwd = open_intervals(&r, ts("2027-03-27T12:00:00Z"), ts("2027-03-28T12:00:00Z"));
        assert_eq!(
            fwd,
            vec![(ts("2027-03-28T00:00:00Z"), ts("2027-03-28T03:00:00Z"))]
        );
        let normal = open_intervals(&r, ts("2027-11-06T12:00:00Z"), ts("2027-11-07T12:00:00Z"));
        assert_eq!(
            normal,
            vec![(ts("2027-11-07T00:00:00Z"), ts("2027-11-07T04:00:00Z"))]
        );
    }

    #[test]
    fn capacity_counts_overlaps_with_buffers() {
        let r = rules(2, 10, None);
        let occ = |id: &str, s: &str, e: &str| Occupied {
            booking_id: id.into(),
            start: ts(s),
            end: ts(e),
        };
        let existing = vec![
            occ("a", "2027-01-04T08:00:00Z", "2027-01-04T09:00:00Z"),
            occ("b", "2027-01-04T08:30:00Z", "2027-01-04T09:30:00Z"),
        ];
        let slot = |s: &str, e: &str| {
            TimeSlot::new(s.parse().expect("ts"), e.parse().expect("ts")).expect("slot")
        };
        // Full from 08:30 to 09:10 (a's end plus its buffer).
        assert!(
            check(
                &r,
                &existing,
                &slot("2027-01-04T07:00:00Z", "2027-01-04T08:20:00Z")
            )
            .is_ok()
        );
        assert!(matches!(
            check(&r, &existing, &slot("2027-01-04T09:00:00Z", "2027-01-04T09:30:00Z")),
            Err(Refusal::Conflict(v)) if v.len() == 2
        ));
        assert!(
            check(
                &r,
                &existing,
                &slot("2027-01-04T09:10:00Z", "2027-01-04T09:30:00Z")
            )
            .is_ok()
        );
    }

    /// The same property as the API test, on thousands of random cases:
    /// `check` accepts a slot exactly when its start is a free start.
    #[test]
    fn check_and_free_starts_agree_on_random_schedules() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(42);
        let base = ts("2027-03-22T00:00:00Z"); // a week with the spring DST change
        let mut seen = [0usize; 2];
        for _ in 0..200 {
            let hours = if rng.random_bool(0.7) {
                let from = rng.random_range(0..48u16) * 15;
                let to = (from + rng.random_range(4..80u16) * 15).min(24 * 60);
                let day = [
                    WeekdayName::Monday,
                    WeekdayName::Sunday,
                    WeekdayName::Wednesday,
                ][rng.random_range(0..3)];
                Some(BTreeMap::from([(
                    day,
                    vec![Window {
                        from: DayTime(from),
                        to: DayTime(to),
                    }],
                )]))
            } else {
                None
            };
            let mut r = rules(
                rng.random_range(1..=3),
                [0, 5, 20][rng.random_range(0..3)],
                hours,
            );
            r.max_minutes = 300;
            let occupied: Vec<Occupied> = (0..rng.random_range(0..30))
                .map(|i| {
                    let s = base + rng.random_range(0..7 * 96) * 900;
                    Occupied {
                        booking_id: format!("b{i}"),
                        start: s,
                        end: s + rng.random_range(1..16) * 900,
                    }
                })
                .collect();
            let minutes = rng.random_range(1..=24u32) * 10;
            let (from, to) = (base, base + 7 * 86_400);
            let free = free_starts(&r, &occupied, from, to, minutes);
            for _ in 0..50 {
                let s = from + rng.random_range(0..(7 * 1440 - i64::from(minutes))) * 60;
                let slot = TimeSlot::new(
                    Timestamp::from_second(s).expect("ts"),
                    Timestamp::from_second(s + i64::from(minutes) * 60).expect("ts"),
                )
                .expect("slot");
                let is_free = free.iter().any(|&(p, q)| p <= s && s <= q);
                seen[usize::from(is_free)] += 1;
                assert_eq!(
                    check(&r, &occupied, &slot).is_ok(),
                    is_free,
                    "start {s}, {minutes} min"
                );
            }
        }
        assert!(
            seen[0] > 1000 && seen[1] > 1000,
            "both outcomes tried: {seen:?}"
        );
    }

    #[test]
    fn slots_are_bounded_and_ordered() {
        assert!(TimeSlot::parse("2027-01-04T10:00:00Z", "2027-01-04T09:00:00Z").is_err());
        assert!(TimeSlot::parse("2027-01-04T10:00:00Z", "2027-01-05T10:01:00Z").is_err());
        assert!(TimeSlot::parse("2027-01-04T10:00:30Z", "2027-01-04T11:00:00Z").is_err());
        assert!(DayTime::parse("24:00").is_ok());
        assert!(DayTime::parse("24:30").is_err());
        assert!(DayTime::parse("7:00").is_err());
    }
}
