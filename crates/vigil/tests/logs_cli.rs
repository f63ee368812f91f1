//! `vigil serve --json-logs`: every request leaves one JSON line carrying its request
//! id, method, route template, status and latency, and nothing that names or
//! identifies anyone: not the concrete path (it holds record ids), not the query
//! string (it can hold a name).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// One request with a request id of the test's choosing; returns the status line.
fn get(address: &str, path: &str, key: &str, request_id: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\nx-request-id: {request_id}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_string()
}

#[test]
fn each_request_logs_one_json_line_with_its_id_route_status_and_latency() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("vigil.db");
    let key = common::create_key(&database, &["--role", "mash_analyst"]);
    let log_path = directory.path().join("vigil.log");
    let child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "serve",
            "--json-logs",
            "--listen",
            "127.0.0.1:0",
            "--database",
        ])
        .arg(format!("sqlite://{}", database.display()))
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut server = common::Server {
        child,
        address: String::new(),
    };
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();

    // An unknown child, asked with a query the route does not take: refused (400).
    let status = get(
        &address,
        "/api/v1/children/ZEBEDEE-Tom-2023?name=ZEBEDEE",
        &key,
        "log-test-1",
    );
    assert!(status.contains(" 400 "), "{status}");
    let status = get(&address, "/nowhere/QUILL", &key, "log-test-2");
    assert!(status.contains(" 404 "), "{status}");
    // The line is written before the answer is sent; give the writer a moment.
    std::thread::sleep(Duration::from_millis(200));
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let request_line = |id: &str| -> Value {
        let found: Vec<&Value> = lines
            .iter()
            .filter(|l| l["fields"]["message"] == "request" && l["fields"]["request_id"] == id)
            .collect();
        assert_eq!(found.len(), 1, "one request line for {id} in\n{log}");
        found[0]["fields"].clone()
    };
    let child_read = request_line("log-test-1");
    assert_eq!(child_read["method"], "GET");
    assert_eq!(child_read["route"], "/api/v1/children/{id}");
    assert_eq!(child_read["status"], 400);
    assert!(child_read["latency_ms"].as_f64().unwrap() >= 0.0);
    let unrouted = request_line("log-test-2");
    assert_eq!(unrouted["route"], "unmatched");
    assert_eq!(unrouted["status"], 404);
    for private in ["ZEBEDEE", "Tom-2023", "name=", "QUILL", "nowhere"] {
        assert!(!log.contains(private), "{private} is in the log:\n{log}");
    }
}
