//! The shipped default model (`crates/linkage/data/default-model.json`): it parses, it
//! says how it was made, the documentation gives that command, and training again with
//! that command gives the same parameters.
//!
//! Re-training is a real re-training (about 15 s in a debug build on two cores), not a
//! look at the metadata: a change to standardisation, comparison, blocking, EM or the
//! synthetic generator that would change the model makes this test fail until the
//! artefact is regenerated with the documented command.

use vigil_linkage::default_model::{
    DEFAULT_MODEL_COMMAND, DEFAULT_MODEL_JSON, DEFAULT_MODEL_RECORDS, DEFAULT_MODEL_SEED,
    train_on_synthetic,
};
use vigil_linkage::model::MODEL_VERSION;
use vigil_linkage::{DecisionPolicy, LinkageModel, TrainingOptions};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn the_artefact_parses_and_records_how_it_was_made() {
    let model = LinkageModel::from_json(DEFAULT_MODEL_JSON).expect("the shipped model parses");
    assert_eq!(model.version, MODEL_VERSION);
    assert_eq!(model, LinkageModel::default_model());
    assert_eq!(model.policy, DecisionPolicy::default());
    assert_eq!(model.blocking, TrainingOptions::default().blocking);
    assert!(model.training.converged);
    assert_eq!(model.training.records, DEFAULT_MODEL_RECORDS);
    let source = model
        .training
        .synthetic_population
        .as_ref()
        .expect("the default model names its synthetic population");
    assert_eq!(source.records, DEFAULT_MODEL_RECORDS);
    assert_eq!(source.seed, DEFAULT_MODEL_SEED);
    assert_eq!(source.command, DEFAULT_MODEL_COMMAND);
    assert_eq!(
        source.generator,
        format!("vigil synth people {DEFAULT_MODEL_RECORDS} --seed {DEFAULT_MODEL_SEED}")
    );
}

#[test]
fn the_documentation_gives_the_command() {
    let docs = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/LINKAGE.md"),
    )
    .expect("docs/LINKAGE.md");
    assert!(
        docs.contains(DEFAULT_MODEL_COMMAND),
        "docs/LINKAGE.md must give the command `{DEFAULT_MODEL_COMMAND}`"
    );
}

#[test]
fn training_again_with_the_documented_command_gives_the_same_parameters() {
    let shipped = LinkageModel::default_model();
    let trained = train_on_synthetic(DEFAULT_MODEL_RECORDS, DEFAULT_MODEL_SEED).expect("trains");
    let regenerate = format!(
        "the shipped model is stale: regenerate it with `{DEFAULT_MODEL_COMMAND}` (docs/LINKAGE.md)"
    );
    assert!(
        close(shipped.prior, trained.prior),
        "prior {} vs {}: {regenerate}",
        shipped.prior,
        trained.prior
    );
    assert_eq!(shipped.training, trained.training, "{regenerate}");
    assert_eq!(shipped.policy, trained.policy, "{regenerate}");
    assert_eq!(shipped.blocking, trained.blocking, "{regenerate}");
    assert_eq!(shipped.comparisons.len(), trained.comparisons.len());
    for (s, t) in shipped.comparisons.iter().zip(&trained.comparisons) {
        assert_eq!(s.field, t.field);
        assert_eq!(
            s.levels.len(),
            t.levels.len(),
            "{:?}: {regenerate}",
            s.field
        );
        for (ls, lt) in s.levels.iter().zip(&t.levels) {
            assert_eq!(ls.label, lt.label, "{:?}: {regenerate}", s.field);
            assert!(
                close(ls.m, lt.m) && close(ls.u, lt.u),
                "{:?} {:?}: m {} / {}, u {} / {}: {regenerate}",
                s.field,
                ls.label,
                ls.m,
                lt.m,
                ls.u,
                lt.u
            );
        }
        assert_eq!(
            s.term_frequencies.len(),
            t.term_frequencies.len(),
            "{:?}: {regenerate}",
            s.field
        );
        for ((ns, fs), (nt, ft)) in s.term_frequencies.iter().zip(&t.term_frequencies) {
            assert!(
                ns == nt && close(*fs, *ft),
                "{:?} {ns}: {regenerate}",
                s.field
            );
        }
    }
}
