//! Nickname (diminutive) equivalence for given names.
//!
//! A health visitor writes "Pip", the GP holds "Philip", the police write "Daz": string
//! similarity cannot see that these are the same name, so a hand-written table of British
//! diminutives (`data/nicknames.csv`, sources in its header) is compiled into the library.
//! A short form can belong to several formal names (Alex: Alexander or Alexandra), so a
//! name maps to a *set* of formal names and two names are equivalent when the sets meet.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/nicknames.csv");

fn table() -> &'static HashMap<String, BTreeSet<String>> {
    static TABLE_MAP: OnceLock<HashMap<String, BTreeSet<String>>> = OnceLock::new();
    TABLE_MAP.get_or_init(|| {
        let mut map: HashMap<String, BTreeSet<String>> = HashMap::new();
        for line in TABLE.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((short, formal)) = line.split_once(',') else {
                continue;
            };
            let (short, formal) = (short.trim(), formal.trim());
            map.entry(short.to_owned())
                .or_default()
                .insert(formal.to_owned());
        }
        map
    })
}

/// Number of diminutive/formal pairs compiled in (reported by the README and tests).
pub fn pair_count() -> usize {
    table().values().map(BTreeSet::len).sum()
}

/// The name itself plus every formal name it may stand for, sorted. Two given names are
/// nickname-equivalent when their groups intersect. Expects a folded (lower-case ASCII)
/// single name.
pub fn nickname_group(name: &str) -> Vec<String> {
    let mut group: BTreeSet<String> = BTreeSet::new();
    group.insert(name.to_owned());
    if let Some(formals) = table().get(name) {
        for formal in formals {
            group.insert(formal.clone());
            // A listed formal name may itself be a variant of another (phillip -> philip).
            if let Some(more) = table().get(formal) {
                group.extend(more.iter().cloned());
            }
        }
    }
    group.into_iter().collect()
}

/// True when two sorted groups share a member.
pub fn groups_meet(left: &[String], right: &[String]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        match left[i].cmp(&right[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Every diminutive the table lists for a formal name (folded, lower case). The synthetic
/// population generator uses it to write nicknames the way agencies do.
pub fn diminutives(formal: &str) -> &'static [&'static str] {
    static BY_FORMAL: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let map = BY_FORMAL.get_or_init(|| {
        let mut map: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for line in TABLE.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((short, formal)) = line.split_once(',') {
                map.entry(formal.trim()).or_default().push(short.trim());
            }
        }
        map
    });
    map.get(formal).map(Vec::as_slice).unwrap_or(&[])
}

/// True when the two folded names are the same person's name by the table.
pub fn are_equivalent(left: &str, right: &str) -> bool {
    groups_meet(&nickname_group(left), &nickname_group(right))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(left: &str, right: &str, expected: bool) {
        assert_eq!(
            are_equivalent(left, right),
            expected,
            "{left} ~ {right} should be {expected}"
        );
        assert_eq!(
            are_equivalent(right, left),
            expected,
            "symmetry {left} {right}"
        );
    }

    #[test]
    fn equivalences() {
        check("daz", "darren", true);
        check("bill", "william", true);
        check("liz", "elizabeth", true);
        check("pip", "philip", true);
        check("pip", "phillip", true);
        check("kez", "kerry", true);
        check("bill", "will", true);
        check("alex", "alexandra", true);
        check("alex", "alexander", true);
        check("sandy", "alex", true);
        check("kerry", "darren", false);
        check("william", "elizabeth", false);
        check("philip", "philip", true);
        check("zebedee", "zebedee", true);
    }

    #[test]
    fn table_is_large_enough() {
        assert!(pair_count() >= 300, "only {} pairs", pair_count());
    }

    #[test]
    fn table_is_clean_ascii_lower_case() {
        for line in TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            assert!(
                line.chars().all(|c| c.is_ascii_lowercase() || c == ','),
                "bad line {line:?}"
            );
            let (a, b) = line.split_once(',').expect("two columns");
            assert_ne!(a, b, "self pair {line}");
        }
    }
}
