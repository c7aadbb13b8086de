//! Request units, Cosmos DB round trips and sequential steps per API
//! operation: the whole application on the SDK's in-process emulator,
//! driven over HTTP through a user's day (`testkit::cosmos_api_flow`,
//! which the API tests also run). The emulator's RU model is a documented
//! stand-in (point read 1 RU/KB, writes by size and property count): good
//! for comparing operations and designs, not for billing forecasts.
//!
//! The day runs twice: as is, and with a fixed delay (`BENCH_COSMOS_DELAY_MS`,
//! default 5) added to every call to Cosmos DB, standing in for an in-region
//! round trip; each operation's latency is reported for both, the median
//! of `BENCH_RUNS` days (default 5) each.
//!
//! Run: `cargo bench --bench cosmos_api_ru` (figures in docs/PERFORMANCE.md).

use std::time::Duration;

use testkit::cosmos_api_flow;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Each operation's median latency over `runs` days, in milliseconds.
fn medians(runs: &[Vec<cosmos_api_flow::Step>]) -> Vec<String> {
    (0..runs[0].len())
        .map(|i| {
            let mut t: Vec<Duration> = runs.iter().map(|r| r[i].elapsed).collect();
            t.sort();
            format!("{:.1}", t[t.len() / 2].as_secs_f64() * 1000.0)
        })
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let delay_ms = env_u64("BENCH_COSMOS_DELAY_MS", 5);
    let runs = env_u64("BENCH_RUNS", 5).max(1);
    let mut plain = Vec::new();
    let mut delayed = Vec::new();
    for _ in 0..runs {
        plain.push(cosmos_api_flow::run().await);
        delayed.push(cosmos_api_flow::run_with_delay(Duration::from_millis(delay_ms)).await);
    }
    let (plain_ms, delayed_ms) = (medians(&plain), medians(&delayed));
    println!(
        "| API operation | RU | round trips | sequential steps | ms | ms at {delay_ms} ms per round trip | adapter calls |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (i, s) in plain[0].iter().enumerate() {
        for run in plain.iter().chain(&delayed) {
            assert_eq!(
                run[i].operation, s.operation,
                "every run takes the same steps"
            );
            assert_eq!(
                run[i].sequential, s.sequential,
                "{}: steps vary",
                s.operation
            );
        }
        println!(
            "| {} | {:.2} | {} | {} | {} | {} | {} |",
            s.operation,
            s.ru(),
            s.round_trips(),
            s.sequential,
            plain_ms[i],
            delayed_ms[i],
            s.charges
                .iter()
                .map(|c| format!("{} {}", c.op, c.container))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
