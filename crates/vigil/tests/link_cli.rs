//! `vigil synth people` and `vigil link ...` as an integrator runs them: the files they
//! write, the figures on the last JSON line, and errors that name the file and line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn vigil(arguments: &[&str], directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(arguments)
        .current_dir(directory)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn last_json_line(output: &Output) -> Value {
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        output.status,
        text(&output.stderr)
    );
    let last = stdout.lines().last().expect("some output");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {last}"))
}

fn febrl_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/febrl"
    ))
}

#[test]
fn synthetic_population_dedupes_with_figures_and_counts_false_merges() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    let synth = vigil(
        &["synth", "people", "6000", "--out", "pop", "--seed", "11"],
        dir,
    );
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    let people = std::fs::read_to_string(dir.join("pop/people.csv")).unwrap();
    assert_eq!(
        people.lines().count(),
        6001,
        "header plus exactly 6000 records"
    );
    assert!(people.starts_with("record_id,given_name,middle_names,family_name"));
    let truth = std::fs::read_to_string(dir.join("pop/truth.csv")).unwrap();
    assert!(truth.lines().any(|l| l.ends_with(",twin")));

    let run = vigil(
        &[
            "link",
            "dedupe",
            "pop/people.csv",
            "--truth",
            "pop/truth.csv",
            "--json",
        ],
        dir,
    );
    let figures = last_json_line(&run);
    assert_eq!(figures["records"], 6000);
    let persons = figures["persons"].as_u64().unwrap();
    assert!(persons > 1000 && persons < 6000, "{figures}");
    assert!(figures["seconds"].as_f64().unwrap() > 0.0);
    let precision = figures["pairwise"]["precision"].as_f64().unwrap();
    let f1 = figures["pairwise"]["f1"].as_f64().unwrap();
    // Floors a little under the figures measured when this was written (README).
    assert!(precision >= 0.99, "{figures}");
    assert!(f1 >= 0.95, "{figures}");
    assert!(
        figures["cluster"]["f1"].as_f64().unwrap() >= 0.97,
        "{figures}"
    );
    // The target is no twin merged at all. Measured when written: 1 twin pair merged
    // here (a Martin and a Mark born the same day at one address, names Jaro-Winkler
    // 0.86, so not "different"); the README lists it as a shortfall. This bound keeps a
    // regression from passing unnoticed.
    assert!(
        figures["false_merges"]["twin"].as_u64().unwrap() <= 1,
        "{figures}"
    );
    assert_eq!(figures["false_merges"]["unrelated"], 0, "{figures}");

    // One person per record, in input order, and pairs with a decision.
    let persons_file = std::fs::read_to_string(dir.join("pop/people.persons.csv")).unwrap();
    assert_eq!(persons_file.lines().count(), 6001);
    assert!(persons_file.starts_with("record_id,person_id\nR0000001,"));
    let pairs = std::fs::read_to_string(dir.join("pop/people.pairs.csv")).unwrap();
    assert!(pairs.starts_with("left_record_id,right_record_id,weight,probability,decision\n"));
    assert!(pairs.contains(",same_person\n"));

    // Explain a pair the run put together.
    let linked = pairs
        .lines()
        .find(|l| l.ends_with(",same_person"))
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let explain = vigil(
        &[
            "link",
            "explain",
            "pop/people.csv",
            &linked[0],
            &linked[1],
            "--json",
        ],
        dir,
    );
    let explanation = last_json_line(&explain);
    assert_eq!(explanation["left_record_id"], linked[0].as_str());
    assert!(explanation["probability"].as_f64().unwrap() >= 0.99);
    let text_explain = vigil(
        &["link", "explain", "pop/people.csv", &linked[0], &linked[1]],
        dir,
    );
    assert!(text(&text_explain.stdout).contains("total weight"));
}

#[test]
fn febrl1_with_mapped_columns() {
    let directory = tempfile::tempdir().unwrap();
    let data = febrl_dir();
    let file = data.join("febrl1.csv");
    let truth = data.join("febrl1_truth.csv");
    let out_persons = directory.path().join("persons.csv");
    let out_pairs = directory.path().join("pairs.csv");
    let run = vigil(
        &[
            "link",
            "dedupe",
            file.to_str().unwrap(),
            "--column",
            "rec_id=record_id",
            "--column",
            "surname=family_name",
            "--column",
            "street_number=address_line",
            "--column",
            "address_1=address_line",
            "--column",
            "suburb=town",
            "--column",
            "soc_sec_id=other_id",
            "--truth",
            truth.to_str().unwrap(),
            "--out-persons",
            out_persons.to_str().unwrap(),
            "--out-pairs",
            out_pairs.to_str().unwrap(),
            "--json",
        ],
        directory.path(),
    );
    let figures = last_json_line(&run);
    assert_eq!(figures["records"], 1000);
    // The library's own FEBRL1 test reaches F1 0.998 with these columns (README).
    assert!(
        figures["pairwise"]["precision"].as_f64().unwrap() >= 0.999,
        "{figures}"
    );
    assert!(
        figures["pairwise"]["f1"].as_f64().unwrap() >= 0.99,
        "{figures}"
    );
    assert!(text(&run.stderr).contains("ignoring columns address_2, state"));
    assert!(out_persons.exists() && out_pairs.exists());
}

#[test]
fn febrl4_links_two_files() {
    let directory = tempfile::tempdir().unwrap();
    let data = febrl_dir();
    let mut arguments = vec![
        "link".to_owned(),
        "link".to_owned(),
        data.join("febrl4a.csv").display().to_string(),
        data.join("febrl4b.csv").display().to_string(),
        "--truth".to_owned(),
        data.join("febrl4_truth.csv").display().to_string(),
        "--out-persons".to_owned(),
        directory.path().join("p.csv").display().to_string(),
        "--out-pairs".to_owned(),
        directory.path().join("q.csv").display().to_string(),
        "--json".to_owned(),
    ];
    for mapping in [
        "rec_id=record_id",
        "surname=family_name",
        "street_number=address_line",
        "address_1=address_line",
        "suburb=town",
        "soc_sec_id=other_id",
        "address_2=ignore",
        "state=ignore",
    ] {
        arguments.push("--column".to_owned());
        arguments.push(mapping.to_owned());
    }
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    let figures = last_json_line(&vigil(&arguments, directory.path()));
    assert_eq!(figures["records"], 10000);
    assert!(
        figures["pairwise"]["precision"].as_f64().unwrap() >= 0.999,
        "{figures}"
    );
    assert!(
        figures["pairwise"]["f1"].as_f64().unwrap() >= 0.99,
        "{figures}"
    );
}

#[test]
fn errors_name_the_file_and_line() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    std::fs::write(
        dir.join("bad.csv"),
        "record_id,given_name,family_name\na1,Ann,Lee\na2,\"Bo, Jr\",Lee,extra\n",
    )
    .unwrap();
    let run = vigil(&["link", "dedupe", "bad.csv"], dir);
    assert!(!run.status.success());
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("bad.csv: line 3: 4 fields, but the header has 3"),
        "{stderr}"
    );

    std::fs::write(
        dir.join("dup.csv"),
        "record_id,given_name\na1,Ann\n\na1,Ann\n",
    )
    .unwrap();
    let run = vigil(&["link", "dedupe", "dup.csv"], dir);
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("dup.csv: line 4: record id \"a1\" already used on line 2"),
        "{stderr}"
    );

    std::fs::write(dir.join("noid.csv"), "id,given_name\na1,Ann\n").unwrap();
    let run = vigil(&["link", "dedupe", "noid.csv"], dir);
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("noid.csv: line 1: no record_id column"),
        "{stderr}"
    );

    let run = vigil(
        &["link", "dedupe", "noid.csv", "--column", "id=nonsense"],
        dir,
    );
    assert!(text(&run.stderr).contains("unknown field \"nonsense\""));
}

#[test]
fn train_writes_a_model_from_a_synthetic_population_or_a_file() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    let run = vigil(
        &[
            "link",
            "train",
            "--synthetic",
            "3000",
            "--seed",
            "5",
            "--out",
            "synthetic.json",
        ],
        dir,
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("synthetic.json")).unwrap())
            .unwrap();
    assert_eq!(model["version"], 2);
    assert_eq!(model["training"]["records"], 3000);
    assert_eq!(
        model["training"]["synthetic_population"]["generator"],
        "vigil synth people 3000 --seed 5"
    );

    // The same population written by `vigil synth people` and read back trains the same
    // model (the file route records no synthetic population).
    let synth = vigil(
        &["synth", "people", "3000", "--seed", "5", "--out", "pop"],
        dir,
    );
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    let run = vigil(
        &["link", "train", "pop/people.csv", "--out", "file.json"],
        dir,
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut from_file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("file.json")).unwrap()).unwrap();
    let mut from_synthetic = model;
    from_synthetic["training"]
        .as_object_mut()
        .unwrap()
        .remove("synthetic_population");
    from_file["training"]
        .as_object_mut()
        .unwrap()
        .remove("synthetic_population");
    assert_eq!(from_file, from_synthetic);

    // A model from `train` serves `explain`.
    let explain = vigil(
        &[
            "link",
            "explain",
            "pop/people.csv",
            "R0000001",
            "R0000002",
            "--model",
            "file.json",
            "--json",
        ],
        dir,
    );
    let explanation = last_json_line(&explain);
    assert_eq!(explanation["left_record_id"], "R0000001");

    let missing = vigil(&["link", "train", "--out", "x.json"], dir);
    assert!(!missing.status.success());
}

#[test]
fn aliases_and_mentions_are_read_from_their_columns() {
    let directory = tempfile::tempdir().unwrap();
    let dir = directory.path();
    std::fs::write(
        dir.join("records.csv"),
        "record_id,given_name,family_name,date_of_birth,address_line,postcode,aliases,mention\n\
         A,Tobias,ALDERWICK,14/06/1984,9 Quarry Lane,QS9 4QE,,\n\
         B,Tobias,FENWORTH,14/06/1984,30 Harbour Walk,QS2 7LB,\"ALDERWICK, Tobias\",\n\
         C,Tobias,FENWORTH,14/06/1984,5 Mill Close,QN7 2QP,,\n\
         D,Tobias,Fenworth,,5 Mill Close,QN7 2QP,,yes\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("model.json"),
        vigil_linkage::LinkageModel::default_model().to_json(),
    )
    .unwrap();
    // A and B agree on the family name only through B's alias.
    let explain = vigil(
        &[
            "link",
            "explain",
            "records.csv",
            "A",
            "B",
            "--model",
            "model.json",
            "--json",
        ],
        dir,
    );
    let explanation = last_json_line(&explain);
    let family = explanation["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "family_name")
        .unwrap()
        .clone();
    assert_eq!(family["level"], 0, "{family}");

    let bad = "record_id,given_name,mention\nA,Tobias,perhaps\n";
    std::fs::write(dir.join("bad.csv"), bad).unwrap();
    let run = vigil(&["link", "dedupe", "bad.csv"], dir);
    assert!(!run.status.success());
    assert!(
        text(&run.stderr).contains("bad.csv: line 2: mention is yes or no"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn synth_population_writes_events_that_vigil_imports_and_the_truth_apart() {
    let directory = tempfile::tempdir().unwrap();
    let synth = vigil(
        &[
            "synth",
            "population",
            "--children",
            "40",
            "--seed",
            "3",
            "--out",
            "pop",
        ],
        directory.path(),
    );
    assert!(synth.status.success(), "{}", text(&synth.stderr));
    let pop = directory.path().join("pop");
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(pop.join("truth.json")).unwrap()).unwrap();
    assert!(truth["children"].as_array().unwrap().len() >= 40);
    assert!(
        std::fs::read_to_string(pop.join("agencies.toml"))
            .unwrap()
            .contains("social_care")
    );
    let events = std::fs::read_to_string(pop.join("events.jsonl")).unwrap();
    assert!(
        !events.contains("flag_by"),
        "the truth stays out of the events"
    );
    let import = vigil(&["import", "pop/events.jsonl"], directory.path());
    assert!(
        import.status.success(),
        "stdout: {}\nstderr: {}",
        text(&import.stdout),
        text(&import.stderr)
    );
}
