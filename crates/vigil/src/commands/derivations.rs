//! `vigil derivations verify`: does a replay of the log reach again what Vigil
//! concluded at the time? After a rules or linkage upgrade, or a restore from backup,
//! this says which stored conclusions a replay no longer reaches (so a reviewer knows
//! what the upgrade changed) and which conclusions are not yet written down.

use std::collections::HashSet;

use jiff::Timestamp;
use serde::Serialize;
use vigil_rules::RulesConfig;
use vigil_store::{EventStore, Page, StoredDerivation};

use crate::database::StoreTask;

pub struct Verify {
    pub rules: RulesConfig,
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct Verification {
    pub stored: usize,
    pub reached_again: usize,
    /// Stored conclusions the replay does not reach, oldest first (at most 50 shown).
    pub not_reached: Vec<Missing>,
    pub not_reached_count: usize,
    /// Conclusions the replay reaches that are not stored (yet).
    pub not_yet_stored: usize,
    pub replayed_to: Timestamp,
}

#[derive(Debug, Serialize)]
pub struct Missing {
    pub sequence: i64,
    pub kind: String,
    pub at: Timestamp,
    pub stored_at: Timestamp,
    pub derivation: serde_json::Value,
}

/// The report, and whether every stored conclusion was reached again.
pub struct Outcome {
    pub text: String,
    pub all_reached: bool,
}

impl StoreTask for Verify {
    type Output = Outcome;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<Outcome> {
        let casebook = vigil_pipeline::replay(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            self.rules,
            None,
        )
        .await?;
        let replayed: HashSet<String> = casebook.derivations().iter().map(|d| d.key()).collect();
        let stored = all_stored(&store).await?;
        let stored_keys: HashSet<&str> = stored.iter().map(|d| d.key.as_str()).collect();
        let missing: Vec<&StoredDerivation> = stored
            .iter()
            .filter(|d| !replayed.contains(&d.key))
            .collect();
        let verification = Verification {
            stored: stored.len(),
            reached_again: stored.len() - missing.len(),
            not_reached_count: missing.len(),
            not_reached: missing
                .iter()
                .take(50)
                .map(|d| Missing {
                    sequence: d.sequence,
                    kind: d.kind.clone(),
                    at: d.at,
                    stored_at: d.stored_at,
                    derivation: d.body.clone(),
                })
                .collect(),
            not_yet_stored: replayed
                .iter()
                .filter(|k| !stored_keys.contains(k.as_str()))
                .count(),
            replayed_to: casebook.now(),
        };
        let all_reached = verification.not_reached_count == 0;
        let text = if self.json {
            serde_json::to_string_pretty(&verification)?
        } else {
            to_text(&verification)
        };
        Ok(Outcome { text, all_reached })
    }
}

async fn all_stored<S: EventStore>(store: &S) -> anyhow::Result<Vec<StoredDerivation>> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = store.derivations_after(Page { after, limit: 1000 }).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.sequence;
        all.extend(page);
    }
    Ok(all)
}

fn to_text(v: &Verification) -> String {
    let mut out = format!(
        "Stored conclusions: {}\nReached again by a replay of the log to {}: {}\n",
        v.stored, v.replayed_to, v.reached_again
    );
    if v.not_reached_count == 0 {
        out.push_str("Every stored conclusion is reached again.\n");
    } else {
        out.push_str(&format!(
            "Stored but NOT reached by the replay: {} (a rule, the linkage model or the \
             order in which records arrived differs from when they were concluded)\n",
            v.not_reached_count
        ));
        for m in &v.not_reached {
            out.push_str(&format!(
                "  #{} {} {} (written {}): {}\n",
                m.sequence, m.at, m.kind, m.stored_at, m.derivation
            ));
        }
    }
    out.push_str(&format!(
        "Reached by the replay but not yet stored: {} (`vigil serve` writes them as it follows the log)\n",
        v.not_yet_stored
    ));
    out
}
