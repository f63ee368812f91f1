//! The record as known at a past moment (`as_at` reads, the practice-review date
//! control). Each is a replay of the log's entries placed by that moment, which costs
//! as much as the start-up rebuild; a reviewer stepping through dates, or several
//! readers of the same date, would pay it on every request. So the casebook built from
//! a run of entries is kept, with the places of those entries in the casebook's order.
//! A read whose entries begin with a kept run starts from a copy of it and takes only
//! the rest, then lets time pass: the same casebook a replay builds, since a replay
//! takes the entries one by one and then lets time pass (`rebuild`), and a kept
//! casebook has had no time passed. An entry stored later with an earlier place (a
//! history import) makes the runs differ, so nothing stale is ever served.
//!
//! The replay runs on a blocking thread so that it does not hold up the server's other
//! requests. Only the last [`KEPT`] casebooks are kept: each is as large as the live one.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use vigil_linkage::LinkageModel;
use vigil_rules::{Casebook, RulesConfig};

use crate::order::{Entry, Place, take};

/// How many past casebooks are kept.
pub const KEPT: usize = 4;

/// A casebook that took exactly the entries at `places`, in that order.
struct Kept {
    places: Vec<Place>,
    casebook: Arc<Casebook>,
}

/// Casebooks of past moments, shared by a process's requests.
#[derive(Clone, Default)]
pub struct PastRecords {
    kept: Arc<Mutex<VecDeque<Kept>>>,
}

impl PastRecords {
    /// The casebook of `entries` (every entry placed by `as_at`, in order) with time
    /// passed to `as_at`.
    pub(crate) async fn at(
        &self,
        entries: Vec<(Place, Entry)>,
        model: LinkageModel,
        config: RulesConfig,
        as_at: Timestamp,
    ) -> Casebook {
        let places: Vec<Place> = entries.iter().map(|(place, _)| *place).collect();
        let start = self.longest_start(&places);
        let this = self.clone();
        let built = tokio::task::spawn_blocking(move || {
            let taken = start.as_ref().map_or(0, |kept| kept.places.len());
            let base = match start {
                Some(kept) if taken == places.len() => kept.casebook,
                start => {
                    let mut casebook = match start {
                        Some(kept) => Casebook::clone(&kept.casebook),
                        None => Casebook::new(model, config),
                    };
                    take(&mut casebook, entries.into_iter().skip(taken).collect());
                    this.keep(places, casebook)
                }
            };
            let mut casebook = Casebook::clone(&base);
            casebook.pass_time(as_at);
            casebook
        })
        .await;
        match built {
            Ok(casebook) => casebook,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }

    /// The kept casebook whose entries are the longest run at the start of `places`.
    fn longest_start(&self, places: &[Place]) -> Option<Kept> {
        let kept = self.kept.lock().expect("no panic while holding the lock");
        kept.iter()
            .filter(|k| places.starts_with(&k.places))
            .max_by_key(|k| k.places.len())
            .map(|k| Kept {
                places: k.places.clone(),
                casebook: k.casebook.clone(),
            })
    }

    fn keep(&self, places: Vec<Place>, casebook: Casebook) -> Arc<Casebook> {
        let casebook = Arc::new(casebook);
        let mut kept = self.kept.lock().expect("no panic while holding the lock");
        kept.retain(|k| k.places != places);
        kept.push_front(Kept {
            places,
            casebook: casebook.clone(),
        });
        kept.truncate(KEPT);
        casebook
    }

    /// How many casebooks are kept.
    pub fn len(&self) -> usize {
        self.kept
            .lock()
            .expect("no panic while holding the lock")
            .len()
    }
}
