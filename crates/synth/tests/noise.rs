//! The measurement at a small scale: the report's figures must add up (no timing, and no
//! assertion on the figures themselves, which are for `vigil bench noise` to report).

use vigil_rules::Level;
use vigil_synth::{PopulationOptions, generate, measure};

#[test]
fn a_small_run_gives_a_coherent_report() {
    let population = generate(&PopulationOptions {
        children: 200,
        months: 12,
        seed: 5,
        seeded_share: 0.02,
    });
    let report = measure(
        &population.events,
        &population.truth,
        &population.agencies,
        &mut |_| {},
    )
    .expect("every generated event is valid");

    assert_eq!(report.events, population.events.len());
    assert_eq!(report.children, population.truth.children.len());
    assert_eq!(
        report.seeded_children + report.unseeded_children,
        report.children
    );
    assert!(
        report.seeded_children >= 6,
        "one child of each kind at least"
    );

    let rate = |count: usize, children: usize| count as f64 * 100.0 / (children as f64 * 12.0);
    let all: usize = report.all_children.iter().map(|l| l.alerts).sum();
    let unseeded: usize = report.unseeded.iter().map(|l| l.alerts).sum();
    assert!(unseeded <= all);
    for (a, u) in report.all_children.iter().zip(&report.unseeded) {
        assert!(u.alerts <= a.alerts);
        assert!((a.per_100_children_per_month - rate(a.alerts, report.children)).abs() < 1e-9);
        assert!(
            (u.per_100_children_per_month - rate(u.alerts, report.unseeded_children)).abs() < 1e-9
        );
    }
    let serious: usize = report
        .unseeded
        .iter()
        .filter(|l| l.level >= Level::Suspect)
        .map(|l| l.alerts)
        .sum();
    assert_eq!(serious, report.unseeded_suspect_or_higher);
    assert!(
        (report.unseeded_suspect_or_higher_per_100_per_month
            - rate(serious, report.unseeded_children))
        .abs()
            < 1e-9
    );
    assert_eq!(
        report
            .unseeded_rules
            .iter()
            .map(|r| r.alerts)
            .sum::<usize>(),
        unseeded
    );
    assert_eq!(
        report
            .unseeded_by_social_care
            .iter()
            .map(|s| s.suspect_or_higher)
            .sum::<usize>(),
        serious
    );
    assert_eq!(
        report
            .unseeded_by_social_care
            .iter()
            .map(|s| s.children)
            .sum::<usize>(),
        report.unseeded_children
    );
    assert!(report.unseeded_children_alerted <= serious);

    assert_eq!(report.seeded.len(), report.seeded_children);
    let by_kind: usize = report
        .seeded_by_kind
        .iter()
        .map(|k| {
            assert_eq!(k.on_time + k.late + k.missed + k.not_visible, k.children);
            assert!(k.on_time_at_expected_level <= k.on_time);
            k.children
        })
        .sum();
    assert_eq!(by_kind, report.seeded_children);
    let on_time: usize = report.seeded_by_kind.iter().map(|k| k.on_time).sum();
    assert_eq!(on_time, report.seeded_on_time);
    assert!(
        (report.seeded_on_time_share - on_time as f64 / report.seeded_visible as f64).abs() < 1e-9
    );
    for seeded in &report.seeded {
        assert_eq!(
            seeded.on_time,
            seeded.flagged_at.is_some_and(|at| at <= seeded.flag_by)
        );
    }
    assert!(report.table().contains("Seeded children flagged"));
}
