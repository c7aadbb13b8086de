//! The application on the Cosmos DB adapter, end to end (P2): a user's day
//! over HTTP on the SDK's emulator, and how its requests use partitions.
//! Request units per operation: `cargo bench --bench cosmos_api_ru`.

use testkit::cosmos_api_flow::{self, Step};

fn fans_out(s: &Step) -> bool {
    s.charges.iter().any(|c| c.op == "query_all_partitions")
}

fn step<'a>(steps: &'a [Step], operation: &str) -> &'a Step {
    steps
        .iter()
        .find(|s| s.operation == operation)
        .unwrap_or_else(|| panic!("no step {operation}"))
}

#[tokio::test(flavor = "current_thread")]
async fn a_users_day_runs_on_cosmos_and_project_work_stays_in_its_partition() {
    let steps = cosmos_api_flow::run().await;
    for s in &steps {
        assert!(
            s.ru() > 0.0 && s.round_trips() >= s.charges.len() as u64,
            "{} is charged: {:?}",
            s.operation,
            s.charges
        );
    }
    // A booking, the day view, an upload, indexing and search touch only the
    // project's partition: their cost does not grow with the number of
    // projects on the account.
    for operation in [
        "create booking (resource with 49 that day)",
        "create booking, slot taken (409)",
        "day view (50 bookings)",
        "upload file metadata (10 KiB text)",
        "index-document (blob trigger)",
        "search files (one word)",
    ] {
        let s = step(&steps, operation);
        assert!(!fans_out(s), "{operation} fans out: {:?}", s.charges);
    }
    // The day view reads its 50 bookings in one page of one query (plus
    // the project and membership reads of every project route).
    let view = step(&steps, "day view (50 bookings)");
    assert_eq!(
        view.charges
            .iter()
            .filter(|c| c.op == "query")
            .map(|c| c.requests)
            .sum::<u64>(),
        1,
        "{:?}",
        view.charges
    );
    // Reads that do not depend on each other share a round trip (the
    // session check included): what a person waits for on Azure is the
    // number of round trips one after another.
    for (operation, most) in [
        ("read own profile (GET /api/me)", 1),
        ("read project (GET /api/projects/{id})", 2),
        ("create booking (empty resource)", 3),
        ("create booking (resource with 49 that day)", 3),
        ("day view (50 bookings)", 1),
    ] {
        let s = step(&steps, operation);
        assert!(
            s.sequential <= most,
            "{operation} takes {} sequential steps: {:?}",
            s.sequential,
            s.charges
        );
    }
    // Logging in finds the account by a point read of the normalized email,
    // never by scanning users.
    assert!(!fans_out(step(&steps, "log in")));
}
