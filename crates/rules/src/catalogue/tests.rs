//! Rule tests live in `tests/rules.rs`, driving a whole casebook; here, only the
//! catalogue's own consistency.

use super::RULES;

#[test]
fn rule_ids_are_unique_and_every_rule_cites_its_source() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
    for rule in RULES {
        assert!(rule.citation.len() > 20, "{}", rule.id);
        assert!(rule.version >= 1);
        assert!(!rule.fires_when.is_empty());
    }
}
