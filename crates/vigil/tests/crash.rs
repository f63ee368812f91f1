//! Crash safety: the server is killed with SIGKILL in the middle of a stream of ingests
//! from several concurrent clients (so group commits are in flight) and started again
//! on the same file. Every event acknowledged before the kill must be there, and the
//! clients' retries must create no duplicates.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{request, start_server, visit};

const CLIENTS: usize = 4;
/// Client `c` sends events `c * SPACING + 0, 1, 2, ...`.
const SPACING: usize = 100_000;

#[test]
fn acknowledged_events_survive_a_kill_and_retries_do_not_duplicate() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("vigil.db");
    let mut server = start_server(&database);

    let acknowledged: Arc<Mutex<Vec<(usize, String)>>> = Arc::default();
    let attempted: Arc<Mutex<Vec<usize>>> = Arc::default();
    let killed = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (address, acknowledged, attempted, killed) = (
                server.address.clone(),
                acknowledged.clone(),
                attempted.clone(),
                killed.clone(),
            );
            thread::spawn(move || {
                for index in (client * SPACING)..((client + 1) * SPACING) {
                    attempted.lock().unwrap().push(index);
                    match request(&address, "POST", "/api/v1/events", Some(&visit(index))) {
                        Ok(reply) if reply.status == 201 => {
                            acknowledged
                                .lock()
                                .unwrap()
                                .push((index, reply.body["id"].as_str().unwrap().to_string()));
                        }
                        Ok(reply) => {
                            panic!("event {index}: unexpected {} {}", reply.status, reply.body)
                        }
                        // After the kill the event may or may not have been stored.
                        Err(_) if killed.load(Ordering::SeqCst) => return,
                        Err(error) => panic!("event {index} failed before the kill: {error}"),
                    }
                }
            })
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 200 {
        assert!(
            Instant::now() < deadline,
            "the server did not acknowledge 200 events in a minute"
        );
        thread::sleep(Duration::from_millis(2));
    }
    killed.store(true, Ordering::SeqCst);
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    for client in clients {
        client.join().expect("a client thread failed");
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let attempted = attempted.lock().unwrap().clone();
    assert!(
        attempted.len() < 1000,
        "the listing below reads one page of 1000"
    );

    // Restart on the same file; each client retries everything it attempted.
    let mut server = start_server(&database);
    for (index, id) in &acknowledged {
        let reply = request(
            &server.address,
            "GET",
            &format!("/api/v1/events/{id}"),
            None,
        )
        .unwrap();
        assert_eq!(
            reply.status, 200,
            "acknowledged event {index} ({id}) was lost"
        );
    }
    for index in &attempted {
        let reply = request(
            &server.address,
            "POST",
            "/api/v1/events",
            Some(&visit(*index)),
        )
        .unwrap();
        assert!(
            reply.status == 200 || reply.status == 201,
            "retry of {index}: {} {}",
            reply.status,
            reply.body
        );
        if let Some((_, id)) = acknowledged.iter().find(|(acked, _)| acked == index) {
            assert_eq!(
                reply.status, 200,
                "an acknowledged event must be recognised, not stored again"
            );
            assert_eq!(reply.body["id"].as_str(), Some(id.as_str()));
        }
    }
    let listed = request(
        &server.address,
        "GET",
        "/api/v1/events?agency=QCS&limit=1000",
        None,
    )
    .unwrap();
    let events = listed.body["events"].as_array().unwrap();
    assert_eq!(
        events.len(),
        attempted.len(),
        "one stored event per distinct record, no duplicates"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
