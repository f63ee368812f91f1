//! `vigil synth population` and `vigil bench noise`: a fictional borough's year of agency
//! records with a few seeded harm trajectories (`vigil-synth`), written out for import,
//! or measured in memory for noise (alerts per 100 children per month) and for the share
//! of seeded children flagged on time. The work is in `vigil-synth`; this module writes
//! files, shows progress and prints the report.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use vigil_synth::{PopulationOptions, generate, measure};

/// Writes DIR/events.jsonl (in the order recorded, ready for `vigil import`),
/// DIR/truth.json and DIR/agencies.toml (the `[rules.agencies]` register).
pub fn write_population(options: PopulationOptions, out: PathBuf) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let spinner = ProgressBar::new_spinner().with_message("generating the population");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let population = generate(&options);
    spinner.finish_and_clear();
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let events_path = out.join("events.jsonl");
    let file = File::create(&events_path)
        .with_context(|| format!("creating {}", events_path.display()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    for event in &population.events {
        serde_json::to_writer(&mut writer, event)?;
        writer.write_all(b"\n")?;
    }
    writer.flush()?;
    let truth_path = out.join("truth.json");
    std::fs::write(&truth_path, serde_json::to_vec_pretty(&population.truth)?)
        .with_context(|| format!("writing {}", truth_path.display()))?;
    let agencies_path = out.join("agencies.toml");
    std::fs::write(
        &agencies_path,
        format!(
            "# The fictional agencies of `vigil synth population`: put under [rules.agencies] in vigil.toml.\n\n{}",
            toml::to_string(&population.agencies)?
        ),
    )
    .with_context(|| format!("writing {}", agencies_path.display()))?;
    println!(
        "wrote {} events about {} children ({} seeded) in {} families to {} in {:.1}s",
        population.events.len(),
        population.truth.children.len(),
        population.truth.seeded().count(),
        population.truth.families,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Generates a population and measures the rules on it, in memory.
pub fn bench_noise(options: PopulationOptions, json: bool) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let population = generate(&options);
    let generated = started.elapsed().as_secs_f64();
    let bar = ProgressBar::new(population.events.len() as u64)
        .with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        )
        .with_message("replaying through the rules");
    let report = measure(
        &population.events,
        &population.truth,
        &population.agencies,
        &mut |done| bar.set_position(done as u64),
    )
    .map_err(|rejected| anyhow::anyhow!("the generator wrote an invalid event: {rejected}"))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "vigil bench noise --children {} --months {} --seed {}\n",
            options.children, options.months, options.seed
        );
        print!("{}", report.table());
        println!(
            "\ngenerated in {generated:.1}s; replayed {} events in {:.1}s ({:.0} events/s)",
            report.events,
            seconds - generated,
            report.events as f64 / (seconds - generated).max(1e-9)
        );
    }
    Ok(ExitCode::SUCCESS)
}
