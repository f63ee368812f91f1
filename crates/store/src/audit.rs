//! The audit log: who read or wrote what, when, why, and with what result, in a chain
//! of hashes that shows any later edit.
//!
//! Each entry carries the hash of the entry before it and its own hash, the SHA-256 of
//! that previous hash and the entry's canonical bytes. Changing an entry changes its
//! hash; removing one leaves a gap and a link to nothing; inserting one leaves a link
//! that skips it. [`ChainVerifier`] re-computes the chain and names the first entry that
//! was changed, removed or inserted, in words a privacy officer can act on.
//!
//! The chain is computed here, without SQL, so both backends compute it identically:
//! a backend reads the last entry's sequence and hash and calls [`chain`] inside the
//! transaction that writes the new entries, serialised against every other writer.
//!
//! What the chain cannot show: someone with write access to the database who rewrites
//! every entry from some point on and recomputes every hash leaves a consistent chain.
//! Keeping the latest hash somewhere else (`vigil audit verify` prints it) and checking
//! against it ([`ChainVerifier::finish_at`]) closes that gap up to the moment it was kept.

use std::collections::HashMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `previous_hash` of the first entry: there is nothing before it.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The version of [`canonical_bytes`]: part of every hash, so a future change of the
/// encoding cannot be mistaken for tampering with old entries.
const CANONICAL_VERSION: u32 = 1;

/// One request, as the audit records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    /// When the answer was given. Kept to the microsecond, as the stores keep time.
    pub at: Timestamp,
    /// Who asked: a person's or system's id, or `anonymous`.
    pub actor_id: String,
    /// The role they acted in, when known.
    pub actor_role: Option<String>,
    /// Their agency, when they belong to one.
    pub actor_agency: Option<String>,
    /// The method and route template, for example `GET /api/v1/children/{id}`.
    pub action: String,
    /// The concrete path asked for, for example `/api/v1/children/3f2a...`.
    pub path: String,
    /// What the request was about, for example `child:3f2a...`, when the path names it.
    pub resource: Option<String>,
    /// Why, as the person stated it (the `Vigil-Purpose` header).
    pub purpose: Option<String>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// Whether what was asked was allowed (the answer was not a refusal).
    pub allowed: bool,
    /// The request id (`x-request-id`), to find the request in the logs.
    pub request_id: Option<String>,
}

/// An entry as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its place in the log: 1, 2, 3... with no gaps.
    pub sequence: i64,
    #[serde(flatten)]
    pub entry: NewAuditEntry,
    /// The hash of the entry before ([`GENESIS_HASH`] for the first).
    pub previous_hash: String,
    /// SHA-256 of `previous_hash` and this entry's canonical bytes, in lower-case hex.
    pub hash: String,
}

/// The last entry of the log: what a new entry chains onto, and what an operator keeps
/// elsewhere to check the log against later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub sequence: i64,
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty log.
    pub fn genesis() -> Self {
        ChainHead {
            sequence: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.sequence, self.hash)
    }
}

impl AuditEntry {
    pub fn head(&self) -> ChainHead {
        ChainHead {
            sequence: self.sequence,
            hash: self.hash.clone(),
        }
    }

    /// Whether the stored hash is the hash of what the entry records.
    pub fn hash_is_intact(&self) -> bool {
        entry_hash(&self.previous_hash, self.sequence, &self.entry) == self.hash
    }
}

/// The bytes an entry's hash covers: every field, the sequence number included, as a
/// JSON array in a fixed order. JSON because its escaping is exact and any language can
/// re-compute it; an array so that no field name or order can vary.
pub fn canonical_bytes(sequence: i64, entry: &NewAuditEntry) -> Vec<u8> {
    let fields = (
        CANONICAL_VERSION,
        sequence,
        entry.at.as_microsecond(),
        &entry.actor_id,
        &entry.actor_role,
        &entry.actor_agency,
        &entry.action,
        &entry.path,
        &entry.resource,
        &entry.purpose,
        entry.status,
        entry.allowed,
        &entry.request_id,
    );
    serde_json::to_vec(&fields).expect("strings and numbers serialise")
}

/// SHA-256 over the previous hash, a newline, and the entry's canonical bytes.
pub fn entry_hash(previous_hash: &str, sequence: i64, entry: &NewAuditEntry) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_bytes(sequence, entry));
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Numbers and hashes new entries onto the log whose last entry is `head`.
///
/// Times are cut to the microsecond first, because that is what the stores keep: an
/// entry read back must hash to what was written.
pub fn chain(head: &ChainHead, entries: Vec<NewAuditEntry>) -> Vec<AuditEntry> {
    let mut previous = head.clone();
    entries
        .into_iter()
        .map(|mut entry| {
            entry.at = Timestamp::from_microsecond(entry.at.as_microsecond())
                .expect("a timestamp cut to microseconds is in range");
            let sequence = previous.sequence + 1;
            let hash = entry_hash(&previous.hash, sequence, &entry);
            let stored = AuditEntry {
                sequence,
                entry,
                previous_hash: previous.hash.clone(),
                hash,
            };
            previous = stored.head();
            stored
        })
        .collect()
}

/// The first place where the log is not as Vigil wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error(
        "audit entry {sequence} was changed after it was written: what it records no longer matches its hash"
    )]
    Changed { sequence: i64 },
    #[error(
        "audit entry {sequence} was changed or replaced after it was written, and its hash recomputed to hide it: entry {next} was chained to an entry {sequence} with different contents"
    )]
    ChangedAndRehashed { sequence: i64, next: i64 },
    #[error("{}", removed_sentence(*first, *last, *next))]
    Removed {
        first: i64,
        last: i64,
        /// The entry after the gap, if any (none when the end of the log was removed).
        next: Option<i64>,
    },
    #[error(
        "audit entry {sequence} was not written by Vigil: it was inserted into the log ({how})"
    )]
    Inserted { sequence: i64, how: String },
    #[error(
        "the log has been rewritten: entry {sequence} is not the entry whose hash was kept ({kept}); every entry from there on may have been changed"
    )]
    HeadMismatch { sequence: i64, kept: String },
}

fn removed_sentence(first: i64, last: i64, next: Option<i64>) -> String {
    let which = if first == last {
        format!("audit entry {first} was removed")
    } else {
        format!("audit entries {first} to {last} were removed")
    };
    match next {
        Some(next) => {
            format!("{which}: entry {next} was chained to an entry that is no longer in the log")
        }
        None => format!("{which}: the log ends before the head that was kept"),
    }
}

impl ChainBreak {
    /// The sequence number of the first entry that is not as written.
    pub fn sequence(&self) -> i64 {
        match self {
            ChainBreak::Changed { sequence }
            | ChainBreak::ChangedAndRehashed { sequence, .. }
            | ChainBreak::Inserted { sequence, .. }
            | ChainBreak::HeadMismatch { sequence, .. } => *sequence,
            ChainBreak::Removed { first, .. } => *first,
        }
    }

    /// One word for what happened: `changed`, `removed`, `inserted` or `rewritten`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChainBreak::Changed { .. } | ChainBreak::ChangedAndRehashed { .. } => "changed",
            ChainBreak::Removed { .. } => "removed",
            ChainBreak::Inserted { .. } => "inserted",
            ChainBreak::HeadMismatch { .. } => "rewritten",
        }
    }
}

/// What an intact log looks like: how many entries and its last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub entries: usize,
    pub head: ChainHead,
}

/// Re-computes the chain one entry at a time, so a long log is read page by page.
///
/// Entries must be pushed in sequence order. The verdict on an entry waits for the one
/// after it: an entry that the next one skips over was inserted. Remembers every hash
/// it has accepted (tens of bytes per entry) to recognise copies and skipped links.
#[derive(Debug)]
pub struct ChainVerifier {
    previous: ChainHead,
    pending: Option<AuditEntry>,
    accepted: HashMap<String, i64>,
    entries: usize,
    broken: Option<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        let mut accepted = HashMap::new();
        accepted.insert(GENESIS_HASH.to_string(), 0);
        ChainVerifier {
            previous: ChainHead::genesis(),
            pending: None,
            accepted,
            entries: 0,
            broken: None,
        }
    }

    /// Takes the next entry. After the first break, returns that break and ignores the
    /// rest: later entries are judged against a chain that is already broken.
    pub fn push(&mut self, entry: AuditEntry) -> Result<(), ChainBreak> {
        if let Some(broken) = &self.broken {
            return Err(broken.clone());
        }
        if let Some(pending) = self.pending.take() {
            self.judge(pending, Some(&entry))?;
        }
        self.pending = Some(entry);
        Ok(())
    }

    /// The verdict on the whole log.
    pub fn finish(mut self) -> Result<ChainSummary, ChainBreak> {
        self.conclude(None)
    }

    /// The verdict, also checking that the head kept earlier (`kept`) is still in the
    /// log: this catches the end of the log removed, or the log rewritten consistently.
    pub fn finish_at(mut self, kept: &ChainHead) -> Result<ChainSummary, ChainBreak> {
        self.conclude(Some(kept))
    }

    /// How many entries were found intact so far, and the last of them: after a break,
    /// the part of the log that can still be trusted.
    pub fn intact(&self) -> ChainSummary {
        ChainSummary {
            entries: self.entries,
            head: self.previous.clone(),
        }
    }

    /// The verdict on the whole log, checking it against `kept` when given; the
    /// verifier stays readable ([`ChainVerifier::intact`]) afterwards.
    pub fn conclude(&mut self, kept: Option<&ChainHead>) -> Result<ChainSummary, ChainBreak> {
        if let Some(broken) = &self.broken {
            return Err(broken.clone());
        }
        if let Some(pending) = self.pending.take() {
            self.judge(pending, None)?;
        }
        if let Some(kept) = kept {
            if self.previous.sequence < kept.sequence {
                return Err(ChainBreak::Removed {
                    first: self.previous.sequence + 1,
                    last: kept.sequence,
                    next: None,
                });
            }
            if self.accepted.get(&kept.hash) != Some(&kept.sequence) {
                return Err(ChainBreak::HeadMismatch {
                    sequence: kept.sequence,
                    kept: kept.hash.clone(),
                });
            }
        }
        Ok(self.intact())
    }

    fn judge(&mut self, entry: AuditEntry, next: Option<&AuditEntry>) -> Result<(), ChainBreak> {
        let verdict = self.verdict(&entry, next);
        match verdict {
            Ok(()) => {
                self.previous = entry.head();
                self.accepted.insert(entry.hash, entry.sequence);
                self.entries += 1;
                Ok(())
            }
            Err(broken) => {
                self.broken = Some(broken.clone());
                Err(broken)
            }
        }
    }

    fn verdict(&self, entry: &AuditEntry, next: Option<&AuditEntry>) -> Result<(), ChainBreak> {
        let previous = &self.previous;
        let sequence = entry.sequence;
        let linked = entry.previous_hash == previous.hash;
        let intact = entry.hash_is_intact();
        let follows = sequence == previous.sequence + 1;
        if linked && intact {
            if follows {
                return Ok(());
            }
            return Err(ChainBreak::Inserted {
                sequence,
                how: format!(
                    "it is chained to entry {} but numbered as if other entries came between",
                    previous.sequence
                ),
            });
        }
        if linked {
            return Err(ChainBreak::Changed { sequence });
        }
        // The link to the entry before is broken.
        if next.is_some_and(|next| next.previous_hash == previous.hash) {
            return Err(ChainBreak::Inserted {
                sequence,
                how: format!(
                    "entry {} was chained directly to entry {}, skipping it",
                    next.map_or(0, |next| next.sequence),
                    previous.sequence
                ),
            });
        }
        if let Some(original) = self.accepted.get(&entry.hash) {
            return Err(ChainBreak::Inserted {
                sequence,
                how: format!("it is a copy of entry {original}"),
            });
        }
        if let Some(&skipped_to) = self.accepted.get(&entry.previous_hash) {
            // Entries after `skipped_to`, up to the one before this, are not part of
            // the chain this entry was written onto.
            return Err(ChainBreak::Inserted {
                sequence: skipped_to + 1,
                how: format!("entry {sequence} was chained directly to entry {skipped_to}"),
            });
        }
        if !intact {
            if follows {
                return Err(ChainBreak::Changed { sequence });
            }
            return Err(ChainBreak::Inserted {
                sequence,
                how: format!(
                    "neither its hash nor its link to entry {} is right",
                    previous.sequence
                ),
            });
        }
        if sequence > previous.sequence + 1 {
            return Err(ChainBreak::Removed {
                first: previous.sequence + 1,
                last: sequence - 1,
                next: Some(sequence),
            });
        }
        if previous.sequence == 0 {
            return Err(ChainBreak::Changed { sequence });
        }
        Err(ChainBreak::ChangedAndRehashed {
            sequence: previous.sequence,
            next: sequence,
        })
    }
}

/// Verifies a whole log held in memory; returns how many entries it has.
pub fn verify_chain(entries: &[AuditEntry]) -> Result<usize, ChainBreak> {
    let mut verifier = ChainVerifier::new();
    for entry in entries {
        verifier.push(entry.clone())?;
    }
    verifier.finish().map(|summary| summary.entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(number: u32) -> NewAuditEntry {
        NewAuditEntry {
            at: Timestamp::from_second(1_714_730_400 + i64::from(number)).unwrap(),
            actor_id: format!("worker-{number}"),
            actor_role: Some("practitioner".into()),
            actor_agency: Some("NCS".into()),
            action: "GET /api/v1/children/{id}".into(),
            path: format!("/api/v1/children/child-{number}"),
            resource: Some(format!("child:child-{number}")),
            purpose: Some("planning a visit".into()),
            status: 200,
            allowed: true,
            request_id: Some(format!("request-{number}")),
        }
    }

    fn log(count: u32) -> Vec<AuditEntry> {
        chain(&ChainHead::genesis(), (1..=count).map(request).collect())
    }

    fn check(entries: &[AuditEntry], expected: Result<usize, (&str, i64)>) {
        let verdict = verify_chain(entries).map_err(|broken| (broken.kind(), broken.sequence()));
        assert_eq!(verdict, expected, "{:?}", verify_chain(entries));
    }

    #[test]
    fn an_untouched_log_is_intact() {
        check(&log(5), Ok(5));
        check(&[], Ok(0));
    }

    #[test]
    fn chaining_onto_a_head_continues_the_numbers_and_hashes() {
        let first = log(2);
        let more = chain(&first[1].head(), vec![request(3)]);
        assert_eq!(more[0].sequence, 3);
        assert_eq!(more[0].previous_hash, first[1].hash);
        check(&[first, more].concat(), Ok(3));
    }

    #[test]
    fn times_are_cut_to_microseconds_so_a_stored_entry_hashes_the_same() {
        let mut entry = request(1);
        entry.at = Timestamp::from_nanosecond(1_714_730_400_123_456_789).unwrap();
        let stored = &chain(&ChainHead::genesis(), vec![entry])[0];
        assert_eq!(stored.entry.at.as_nanosecond() % 1000, 0);
        assert!(stored.hash_is_intact());
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let original = &log(1)[0];
        let edits: Vec<fn(&mut AuditEntry)> = vec![
            |e| e.sequence = 2,
            |e| e.entry.at = Timestamp::from_second(0).unwrap(),
            |e| e.entry.actor_id = "someone else".into(),
            |e| e.entry.actor_role = None,
            |e| e.entry.actor_agency = Some("NHS".into()),
            |e| e.entry.action = "POST /api/v1/events".into(),
            |e| e.entry.path = "/api/v1/children/other".into(),
            |e| e.entry.resource = None,
            |e| e.entry.purpose = Some("curiosity".into()),
            |e| e.entry.status = 403,
            |e| e.entry.allowed = false,
            |e| e.entry.request_id = None,
            |e| e.previous_hash = "1".repeat(64),
        ];
        for edit in edits {
            let mut changed = original.clone();
            edit(&mut changed);
            assert!(!changed.hash_is_intact(), "{changed:?}");
        }
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = log(5);
        entries[2].entry.purpose = Some("nothing to see".into());
        check(&entries, Err(("changed", 3)));
    }

    #[test]
    fn an_edited_entry_whose_hash_was_recomputed_is_named_by_the_next_link() {
        let mut entries = log(5);
        entries[2].entry.actor_id = "someone else".into();
        entries[2].hash = entry_hash(&entries[2].previous_hash, 3, &entries[2].entry);
        check(&entries, Err(("changed", 3)));
        // The same for the last entry cannot be seen without a kept head.
        let mut entries = log(3);
        let kept = entries[2].head();
        entries[2].entry.actor_id = "someone else".into();
        entries[2].hash = entry_hash(&entries[2].previous_hash, 3, &entries[2].entry);
        check(&entries, Ok(3));
        let mut verifier = ChainVerifier::new();
        for entry in entries {
            verifier.push(entry).unwrap();
        }
        let broken = verifier.finish_at(&kept).unwrap_err();
        assert_eq!((broken.kind(), broken.sequence()), ("rewritten", 3));
    }

    #[test]
    fn an_edited_first_entry_is_named() {
        let mut entries = log(3);
        entries[0].entry.status = 404;
        check(&entries, Err(("changed", 1)));
        entries[0].hash = entry_hash(GENESIS_HASH, 1, &entries[0].entry);
        check(&entries, Err(("changed", 1)));
    }

    #[test]
    fn an_edited_link_is_named() {
        let mut entries = log(4);
        entries[2].previous_hash = "f".repeat(64);
        check(&entries, Err(("changed", 3)));
    }

    #[test]
    fn removed_entries_are_named() {
        let mut entries = log(5);
        entries.remove(2);
        check(&entries, Err(("removed", 3)));
        let mut entries = log(5);
        entries.drain(1..3);
        check(&entries, Err(("removed", 2)));
        let broken = verify_chain(&entries).unwrap_err();
        assert_eq!(
            broken.to_string(),
            "audit entries 2 to 3 were removed: entry 4 was chained to an entry that is no longer in the log"
        );
        let mut entries = log(5);
        entries.remove(0);
        check(&entries, Err(("removed", 1)));
    }

    #[test]
    fn removing_the_end_shows_only_against_a_kept_head() {
        let entries = log(5);
        let kept = entries[4].head();
        check(&entries[..3], Ok(3));
        let mut verifier = ChainVerifier::new();
        for entry in &entries[..3] {
            verifier.push(entry.clone()).unwrap();
        }
        let broken = verifier.finish_at(&kept).unwrap_err();
        assert_eq!((broken.kind(), broken.sequence()), ("removed", 4));
    }

    #[test]
    fn a_copied_entry_is_named_as_inserted() {
        let mut entries = log(5);
        let mut copy = entries[1].clone();
        copy.sequence = 6;
        copy.entry.purpose = Some("a purpose that was never given".into());
        entries.push(copy);
        check(&entries, Err(("inserted", 6)));
    }

    #[test]
    fn an_entry_slipped_between_others_is_named_as_inserted() {
        // The forger renumbers the entries after the gap and writes one of their own,
        // with a made-up hash...
        let original = log(5);
        let mut forged = request(99);
        forged.actor_id = "forger".into();
        let mut entries = original[..2].to_vec();
        entries.push(AuditEntry {
            sequence: 3,
            entry: forged.clone(),
            previous_hash: "a".repeat(64),
            hash: "b".repeat(64),
        });
        for entry in &original[2..] {
            let mut moved = entry.clone();
            moved.sequence += 1;
            entries.push(moved);
        }
        check(&entries, Err(("inserted", 3)));
        // ...or with a hash computed the way Vigil computes it.
        entries[2] = chain(&original[1].head(), vec![forged])[0].clone();
        check(&entries, Err(("inserted", 3)));
    }

    #[test]
    fn an_entry_added_with_a_made_up_number_is_named_as_inserted() {
        let mut entries = log(3);
        let forged = chain(&entries[2].head(), vec![request(4)]).remove(0);
        let mut forged = AuditEntry {
            sequence: 10,
            ..forged
        };
        forged.hash = entry_hash(&forged.previous_hash, 10, &forged.entry);
        entries.push(forged);
        check(&entries, Err(("inserted", 10)));
    }

    #[test]
    fn verifying_stops_at_the_first_break() {
        let mut entries = log(6);
        entries[1].entry.purpose = None;
        entries.remove(4);
        check(&entries, Err(("changed", 2)));
    }
}
