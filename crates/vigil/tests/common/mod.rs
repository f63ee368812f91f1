//! Helpers for tests that run the real `vigil` binary: start it, find its port, talk
//! HTTP to it over a plain socket, and make realistic fictional events.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub struct Server {
    pub child: Child,
    pub address: String,
}

impl Drop for Server {
    /// A test that fails half-way leaves no server running. (A child already killed
    /// and waited for is not signalled again.)
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The keys each test server's requests carry, by its address: QCS's integration key
/// for recording, a MASH analyst's for everything else.
static KEYS: std::sync::Mutex<Vec<(String, String, String)>> = std::sync::Mutex::new(Vec::new());

/// Creates an API key with the real `vigil key create`; returns the key.
pub fn create_key(database: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["key", "create"])
        .args(args)
        .arg("--database")
        .arg(format!("sqlite://{}", database.display()))
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.lines().next().unwrap_or_default().to_string();
    assert!(key.starts_with("vigil_"), "{stdout}");
    key
}

/// Starts `vigil serve` on the SQLite file at `database`, on a free port, with a key
/// for recording QCS's events and a MASH analyst's key for reading.
pub fn start_server(database: &Path) -> Server {
    let writer = create_key(
        database,
        &["--role", "integration_client", "--agency", "QCS"],
    );
    let reader = create_key(database, &["--role", "mash_analyst"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}", database.display()))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the vigil binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("vigil prints its address");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    KEYS.lock().unwrap().push((address.clone(), writer, reader));
    Server { child, address }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

/// One HTTP/1.1 request on a fresh connection. `Err` when the connection fails, as it
/// does when the server has been killed.
pub fn request(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body
        .map(|b| serde_json::to_vec(b).expect("serialisable"))
        .unwrap_or_default();
    let key = KEYS
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(known, _, _)| known == address)
        .map(|(_, writer, reader)| {
            if method == "POST" && path.starts_with("/api/v1/events") {
                writer.clone()
            } else {
                reader.clone()
            }
        })
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete response")
    })?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no status"))?;
    Ok(Reply {
        status,
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    })
}

/// A home visit about a fictional child; `index` makes the source id unique.
pub fn visit(index: usize) -> Value {
    json!({
        "kind": "home_visit",
        "agency": "QCS",
        "source_system": "QCS-CASE",
        "source_id": format!("VISIT-{index}"),
        "occurred_at": "2024-05-03T10:15",
        "summary": "Statutory visit; child seen with mother.",
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "2023-03-10",
              "nhs_number": "999 210 0311", "agency_reference": "QCS-CH-1" },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother", "agency_reference": "QCS-AD-1" },
            { "role": "partner", "name": "Fergal VOSPER", "relationship": "mother's partner" }
        ],
        "details": { "outcome": "child_seen" }
    })
}
