//! Crash safety: the server is killed with SIGKILL in the middle of a stream of
//! ingests and started again on the same file. Every event acknowledged before the
//! kill must be there, and the client's retries must create no duplicates.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{request, start_server, visit};

#[test]
fn acknowledged_events_survive_a_kill_and_retries_do_not_duplicate() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("vigil.db");
    let mut server = start_server(&database);
    let address = server.address.clone();

    // The client sends events one after another; it remembers each acknowledged id.
    let acknowledged: Arc<Mutex<Vec<(usize, String)>>> = Arc::default();
    let attempted = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let client = {
        let (acknowledged, attempted, stop) =
            (acknowledged.clone(), attempted.clone(), stop.clone());
        thread::spawn(move || {
            let mut index = 0;
            while !stop.load(Ordering::SeqCst) {
                attempted.store(index + 1, Ordering::SeqCst);
                match request(&address, "POST", "/api/v1/events", Some(&visit(index))) {
                    Ok(reply) if reply.status == 201 => {
                        acknowledged
                            .lock()
                            .unwrap()
                            .push((index, reply.body["id"].as_str().unwrap().to_string()));
                        index += 1;
                    }
                    Ok(reply) => {
                        panic!("event {index}: unexpected {} {}", reply.status, reply.body)
                    }
                    // The server is gone: the event may or may not have been stored.
                    Err(_) => break,
                }
            }
        })
    };

    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 150 {
        assert!(
            Instant::now() < deadline,
            "the server did not acknowledge 150 events in a minute"
        );
        thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    client.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let attempted = attempted.load(Ordering::SeqCst);
    assert!(attempted >= acknowledged.len());

    // Restart on the same file; the client retries everything it attempted.
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
    for index in 0..attempted {
        let reply = request(
            &server.address,
            "POST",
            "/api/v1/events",
            Some(&visit(index)),
        )
        .unwrap();
        assert!(
            reply.status == 200 || reply.status == 201,
            "retry of {index}: {} {}",
            reply.status,
            reply.body
        );
        if let Some((_, id)) = acknowledged.iter().find(|(acked, _)| *acked == index) {
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
        attempted,
        "one stored event per distinct record, no duplicates"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
