//! Request units and Cosmos DB round trips per API operation: the whole
//! application on the SDK's in-process emulator, driven over HTTP through
//! a user's day (`tests/store/cosmos_api_flow.rs`, which the store tests
//! also run). The emulator's RU model is a documented stand-in (point read
//! 1 RU/KB, writes by size and property count): good for comparing
//! operations and designs, not for billing forecasts.
//!
//! Run: `cargo bench --bench cosmos_api_ru` (figures in docs/PERFORMANCE.md).

#[path = "../tests/store/cosmos_emulator.rs"]
mod cosmos_emulator;

#[path = "../tests/store/cosmos_api_flow.rs"]
mod cosmos_api_flow;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let steps = cosmos_api_flow::run().await;
    println!("| API operation | RU | round trips | adapter calls |");
    println!("|---|---:|---:|---|");
    for s in &steps {
        println!(
            "| {} | {:.2} | {} | {} |",
            s.operation,
            s.ru(),
            s.round_trips(),
            s.charges
                .iter()
                .map(|c| format!("{} {}", c.op, c.container))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
