//! Several `vigil serve` processes on one PostgreSQL database behave as one system.
//!
//! Two real processes take a fictional borough's records (`vigil-synth`) at the same
//! time: each event goes to one process or the other, so the same children and adults
//! are recorded by different agencies through both. Afterwards every acknowledged event
//! is stored once; both processes, and a third started afterwards (which replays the
//! log), show the same persons with the same ids and members and the same alerts, none
//! twice; an alert acknowledged on one process is acknowledged on the others.
//!
//! Runs when `VIGIL_TEST_POSTGRES_URL` names a server (CI sets it), in a database of
//! its own, dropped afterwards whether the test passes or fails.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{Connection, Executor};

const URL_VARIABLE: &str = "VIGIL_TEST_POSTGRES_URL";
/// Concurrent clients per process.
const CLIENTS_PER_PROCESS: usize = 3;

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn vigil(args: &[&str], database: &str, config: &Path) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--database")
        .arg(database)
        .arg("--config")
        .arg(config)
        .env_remove("VIGIL_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs");
    assert!(output.status.success(), "vigil {args:?}: {output:?}");
    output
}

fn create_key(database: &str, config: &Path, args: &[&str]) -> String {
    let mut all = vec!["key", "create"];
    all.extend_from_slice(args);
    let output = vigil(&all, database, config);
    let key = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(key.starts_with("vigil_"), "{key}");
    key
}

fn serve(database: &str, config: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .arg("--config")
        .arg(config)
        .env_remove("VIGIL_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the vigil binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("vigil prints its address");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, address }
}

/// One HTTP/1.1 request on a fresh connection; the status and the JSON body.
fn request(
    address: &str,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn get(address: &str, key: &str, path: &str) -> Value {
    let (status, body) = request(address, key, "GET", path, None);
    assert_eq!(status, 200, "GET {path} on {address}: {body}");
    body
}

/// `base` with its database name replaced.
fn database_url(base: &str, database: &str) -> String {
    let (without_query, query) = base
        .split_once('?')
        .map_or((base, None), |(b, q)| (b, Some(q)));
    let slash = without_query.rfind('/').expect("a URL with a database");
    let mut url = format!("{}/{database}", &without_query[..slash]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

fn admin(base: &str, statement: String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(base)
            .await
            .unwrap_or_else(|error| panic!("{URL_VARIABLE} is set but {error}"));
        connection
            .execute(sqlx::AssertSqlSafe(statement))
            .await
            .unwrap();
        connection.close().await.unwrap();
    });
}

#[test]
fn two_processes_on_one_postgres_database_agree_on_every_person_and_alert() {
    let Some(base) = std::env::var(URL_VARIABLE).ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipped: {URL_VARIABLE} is not set");
        return;
    };
    let name = format!("vigil_multi_{}", uuid::Uuid::now_v7().simple());
    admin(&base, format!("CREATE DATABASE {name}"));
    let url = database_url(&base, &name);
    let outcome = std::thread::spawn(move || two_processes(&url)).join();
    admin(
        &base,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure);
    }
}

fn two_processes(url: &str) {
    let started = Instant::now();
    let population = vigil_synth::generate(&vigil_synth::PopulationOptions {
        children: 50,
        months: 12,
        seed: 808,
        seeded_share: 0.1,
    });
    let directory = tempfile::tempdir().unwrap();
    let config = directory.path().join("vigil.toml");
    let register: Vec<String> = toml::to_string(&population.agencies)
        .unwrap()
        .lines()
        .map(|line| match line.strip_prefix('[') {
            Some(rest) => format!("[rules.agencies.{rest}"),
            None => line.to_string(),
        })
        .collect();
    std::fs::write(&config, register.join("\n")).unwrap();

    let mut writers = BTreeMap::new();
    for agency in population.agencies.keys() {
        let key = create_key(
            url,
            &config,
            &["--role", "integration_client", "--agency", agency],
        );
        writers.insert(agency.clone(), key);
    }
    let reader = create_key(url, &config, &["--role", "mash_analyst"]);
    let first = serve(url, &config);
    let second = serve(url, &config);

    // Events as agencies send them live: Vigil stamps when each was recorded, so the
    // stamps of the two processes interleave as their appends wait their turn.
    let events: Vec<(usize, Value)> = population
        .events
        .iter()
        .cloned()
        .map(|mut event| {
            event.as_object_mut().unwrap().remove("recorded_at");
            event
        })
        .enumerate()
        .collect();
    let sent = events.len();
    assert!(
        (200..=800).contains(&sent),
        "a few hundred events, not {sent}"
    );
    let addresses = [first.address.clone(), second.address.clone()];
    let clients: Vec<_> = (0..2 * CLIENTS_PER_PROCESS)
        .map(|client| {
            let address = addresses[client % 2].clone();
            let mine: Vec<(usize, Value)> = events
                .iter()
                .filter(|(index, _)| index % (2 * CLIENTS_PER_PROCESS) == client)
                .cloned()
                .collect();
            let writers = writers.clone();
            std::thread::spawn(move || {
                mine.into_iter()
                    .map(|(index, event)| {
                        let key = &writers[event["agency"].as_str().unwrap()];
                        let (status, body) =
                            request(&address, key, "POST", "/api/v1/events", Some(&event));
                        assert_eq!(status, 201, "event {index} on {address}: {body}");
                        body["id"].as_str().unwrap().to_string()
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let acknowledged: Vec<String> = clients
        .into_iter()
        .flat_map(|client| client.join().expect("a client failed"))
        .collect();
    assert_eq!(acknowledged.len(), sent);
    let ingest = started.elapsed();

    // Every acknowledged event is stored exactly once.
    // (sequence, event id, how many people the event records)
    let mut stored: Vec<(i64, String, usize)> = Vec::new();
    for agency in writers.keys() {
        let mut after = 0;
        loop {
            let page = get(
                &first.address,
                &reader,
                &format!("/api/v1/events?agency={agency}&limit=1000&after={after}"),
            );
            for event in page["events"].as_array().unwrap() {
                stored.push((
                    event["sequence"].as_i64().unwrap(),
                    event["id"].as_str().unwrap().to_string(),
                    event["event"]["people"].as_array().unwrap().len(),
                ));
            }
            match page["next_after"].as_i64() {
                Some(next) => after = next,
                None => break,
            }
        }
    }
    stored.sort();
    let stored_ids: BTreeSet<&String> = stored.iter().map(|(_, id, _)| id).collect();
    assert_eq!(stored.len(), sent, "one stored event per event sent");
    assert_eq!(
        stored_ids,
        acknowledged.iter().collect::<BTreeSet<_>>(),
        "the stored events are the acknowledged ones"
    );

    // A third process started now replays the log: the record as one process makes it.
    let replaying = serve(url, &config);
    let servers = [&first, &second, &replaying];
    let persons: Vec<BTreeMap<String, BTreeSet<String>>> = servers
        .iter()
        .map(|server| persons_of(&server.address, &reader, &stored))
        .collect();
    let records: usize = stored.iter().map(|(_, _, people)| people).sum();
    let members: usize = persons[2].values().map(BTreeSet::len).sum();
    assert_eq!(
        members, records,
        "every record belongs to exactly one person"
    );
    assert!(
        persons[2].len() < records,
        "records of the same people were linked"
    );
    assert_eq!(
        persons[0], persons[2],
        "the first process and a replay agree on persons"
    );
    assert_eq!(
        persons[1], persons[2],
        "the second process and a replay agree on persons"
    );

    let alerts: Vec<Vec<Value>> = servers
        .iter()
        .map(|server| alerts_of(&server.address, &reader))
        .collect();
    assert!(!alerts[2].is_empty(), "the seeded harm raised alerts");
    assert_eq!(
        alerts[0], alerts[2],
        "the first process and a replay agree on alerts"
    );
    assert_eq!(
        alerts[1], alerts[2],
        "the second process and a replay agree on alerts"
    );
    let ids: BTreeSet<&str> = alerts[2]
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), alerts[2].len(), "no alert is listed twice");
    let open: Vec<(String, String)> = alerts[2]
        .iter()
        .filter(|a| a["status"]["status"] != "closed")
        .map(|a| (a["rule"].to_string(), a["subject"].to_string()))
        .collect();
    assert_eq!(
        open.iter().collect::<BTreeSet<_>>().len(),
        open.len(),
        "one open alert per rule and child"
    );

    // The derivations log, which every process writes, says each alert was raised once.
    let listed: BTreeSet<String> = ids.iter().map(|id| id.to_string()).collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    let raised = loop {
        let raised = raised_alerts(&first.address, &reader);
        // Each process writes what it concluded on its next tick.
        if raised.keys().cloned().collect::<BTreeSet<_>>() == listed || Instant::now() > deadline {
            break raised;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        raised.keys().cloned().collect::<BTreeSet<_>>(),
        listed,
        "the derivations log raised the alerts the processes hold"
    );
    assert!(
        raised.values().all(|times| *times == 1),
        "an alert raised more than once: {raised:?}"
    );

    // An alert acknowledged on one process is acknowledged on the others.
    let alert = alerts[2][0]["id"].as_str().unwrap().to_string();
    let (status, body) = request(
        &first.address,
        &reader,
        "POST",
        &format!("/api/v1/alerts/{alert}/acknowledge"),
        Some(&json!({
            "reason": "Read; strategy discussion booked with the police."
        })),
    );
    assert!(
        status == 200 || status == 201,
        "acknowledge: {status} {body}"
    );
    let alerts: Vec<Vec<Value>> = servers
        .iter()
        .map(|server| alerts_of(&server.address, &reader))
        .collect();
    for listed in &alerts {
        let acted = listed.iter().find(|a| a["id"] == alert.as_str()).unwrap();
        assert_eq!(acted["status"]["status"], "acknowledged", "{acted}");
    }
    assert_eq!(alerts[0], alerts[1]);
    assert_eq!(alerts[1], alerts[2]);

    eprintln!(
        "{sent} events through two processes in {:.1}s; {} persons, {} alerts; {:.1}s in all",
        ingest.as_secs_f64(),
        persons[2].len(),
        alerts[2].len(),
        started.elapsed().as_secs_f64()
    );
}

/// Every person the process knows, by id, with the ids of its records. A person's id is
/// its first record's, so asking for each record in log order finds every person; a
/// record already seen as a member is not asked for again.
fn persons_of(
    address: &str,
    key: &str,
    stored: &[(i64, String, usize)],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut persons = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (_, event, people) in stored {
        for position in 0..*people {
            let record = format!("{event}.{position}");
            if seen.contains(&record) {
                continue;
            }
            let (status, body) = request(
                address,
                key,
                "GET",
                &format!("/api/v1/persons/{record}"),
                None,
            );
            match status {
                200 => {
                    let members: BTreeSet<String> = body["records"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["record"].as_str().unwrap().to_string())
                        .collect();
                    seen.extend(members.iter().cloned());
                    persons.insert(body["person"].as_str().unwrap().to_string(), members);
                }
                404 => {}
                _ => panic!("GET /api/v1/persons/{record} on {address}: {status} {body}"),
            }
        }
    }
    persons
}

/// Every alert the process holds, as the rules made it (without what is worked out from
/// the process's clock when asked: who holds it now, whether it is overdue), by id.
fn alerts_of(address: &str, key: &str) -> Vec<Value> {
    let body = get(address, key, "/api/v1/alerts");
    let mut alerts: Vec<Value> = body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|listed| listed["alert"].clone())
        .collect();
    alerts.sort_by_key(|a| a["id"].as_str().unwrap().to_string());
    alerts
}

/// How many times the derivations log says each alert was raised.
fn raised_alerts(address: &str, key: &str) -> BTreeMap<String, usize> {
    let mut raised = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = get(
            address,
            key,
            &format!("/api/v1/derivations?after={after}&limit=1000"),
        );
        for entry in page["derivations"].as_array().unwrap() {
            if entry["kind"] == "alert_raised" {
                let alert = entry["derivation"]["alert"].as_str().unwrap().to_string();
                *raised.entry(alert).or_insert(0) += 1;
            }
        }
        match page["next_after"].as_i64() {
            Some(next) => after = next,
            None => break,
        }
    }
    raised
}
