//! Group commit, written once for both backends. Every append of a process goes to one
//! writer task, which takes all the appends waiting and writes them in one transaction,
//! each inside a savepoint of its own so that one append's refusal (a conflict, an
//! unknown correction target) touches no other. A durable commit costs a disk flush;
//! sharing one flush among the appends that arrived together is what lets many
//! concurrent single-event requests be both durable and fast. When appends arrive one
//! at a time, each is its own group and waits for nothing.
//!
//! A failure of the database itself (unreachable, disk full, a savepoint that cannot be
//! rolled back) abandons the whole group: the transaction is dropped, so nothing of it
//! is stored, and every append in it gets the error. A panic while writing a group is
//! caught and answered the same way, so one bad group cannot stop all future writes.

use std::future::Future;

use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};
use vigil_domain::NewEvent;

use crate::{Appended, StoreError};

/// One caller's append, as the writer receives it.
pub struct Append {
    pub events: Vec<NewEvent>,
    pub ingested_at: Timestamp,
}

type Answer = Result<Vec<Appended>, StoreError>;

/// A backend's open write transaction.
pub trait GroupTransaction: Send {
    /// Looks up, plans (`plan_append`) and inserts one append's events.
    fn append(
        &mut self,
        events: Vec<NewEvent>,
        ingested_at: Timestamp,
    ) -> impl Future<Output = Answer> + Send;
    fn savepoint(&mut self) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn rollback_to_savepoint(&mut self) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn release_savepoint(&mut self) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn commit(self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// A backend's way to open a write transaction (taking whatever lock it needs).
pub trait GroupWriter: Clone + Send + Sync + 'static {
    type Transaction: GroupTransaction;
    fn begin(&self) -> impl Future<Output = Result<Self::Transaction, StoreError>> + Send;
}

struct Request {
    append: Append,
    reply: oneshot::Sender<Answer>,
}

/// How much one group may hold: enough to share a flush widely, small enough that a
/// group's transaction stays short. A group stops growing once it reaches either bound.
const GROUP_MAX_APPENDS: usize = 512;
const GROUP_MAX_EVENTS: usize = 10_000;

/// The handle callers append through. Cloning it is cheap; the writer task ends when
/// the last handle is dropped.
#[derive(Clone)]
pub struct AppendQueue {
    sender: mpsc::Sender<Request>,
}

impl AppendQueue {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start<W: GroupWriter>(writer: W) -> Self {
        let (sender, receiver) = mpsc::channel(4096);
        tokio::spawn(run_writer(writer, receiver));
        AppendQueue { sender }
    }

    pub async fn append(&self, events: Vec<NewEvent>, ingested_at: Timestamp) -> Answer {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Unavailable("the store's writer has stopped".to_string());
        let request = Request {
            append: Append {
                events,
                ingested_at,
            },
            reply,
        };
        self.sender.send(request).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Whether the writer task is still taking appends: part of readiness.
    pub fn is_running(&self) -> bool {
        !self.sender.is_closed()
    }
}

async fn run_writer<W: GroupWriter>(writer: W, mut receiver: mpsc::Receiver<Request>) {
    while let Some(first) = receiver.recv().await {
        let mut events = first.append.events.len();
        let mut group = vec![first];
        while group.len() < GROUP_MAX_APPENDS && events < GROUP_MAX_EVENTS {
            match receiver.try_recv() {
                Ok(request) => {
                    events += request.append.events.len();
                    group.push(request);
                }
                Err(_) => break,
            }
        }
        let (appends, replies): (Vec<Append>, Vec<_>) = group
            .into_iter()
            .map(|request| (request.append, request.reply))
            .unzip();
        let count = appends.len();
        // Written in a task of its own so that a panic is caught here, not fatal to the
        // writer; the group's transaction is dropped (rolled back) with the task.
        let writing = tokio::spawn(write_group(writer.clone(), appends));
        let results = match writing.await {
            Ok(results) => results,
            Err(failure) => {
                let detail = format!("writing a group of appends failed unexpectedly: {failure}");
                (0..count)
                    .map(|_| Err(StoreError::Internal(detail.clone())))
                    .collect()
            }
        };
        for (reply, result) in replies.into_iter().zip(results) {
            // The caller may have gone (a client disconnected); the write stands.
            let _ = reply.send(result);
        }
    }
}

/// Whether an error is the database failing (abandon the group) rather than one append
/// being refused by the rules of appending (roll back that append only).
fn is_database_failure(error: &StoreError) -> bool {
    matches!(error, StoreError::Unavailable(_) | StoreError::Internal(_))
}

async fn write_group<W: GroupWriter>(writer: W, appends: Vec<Append>) -> Vec<Answer> {
    let count = appends.len();
    let everyone = |error: StoreError| (0..count).map(|_| Err(error.clone())).collect::<Vec<_>>();
    let mut transaction = match writer.begin().await {
        Ok(transaction) => transaction,
        Err(error) => return everyone(error),
    };
    let mut results = Vec::with_capacity(count);
    if count == 1 {
        // A group of one needs no savepoint: if it is refused, the transaction is
        // dropped, which saves two statements on the most common path.
        let append = appends.into_iter().next().expect("one append");
        let result = transaction.append(append.events, append.ingested_at).await;
        if result.is_err() {
            return vec![result];
        }
        results.push(result);
    } else {
        for append in appends {
            if let Err(error) = transaction.savepoint().await {
                return everyone(error);
            }
            let result = transaction.append(append.events, append.ingested_at).await;
            match &result {
                Err(error) if is_database_failure(error) => return everyone(error.clone()),
                Err(_) => {
                    if let Err(error) = transaction.rollback_to_savepoint().await {
                        return everyone(error);
                    }
                }
                Ok(_) => {}
            }
            if let Err(error) = transaction.release_savepoint().await {
                return everyone(error);
            }
            results.push(result);
        }
    }
    match transaction.commit().await {
        Ok(()) => results,
        // The commit's fate is unknown to us: every append is told so, and a retry is safe
        // because appends are idempotent.
        Err(error) => results
            .into_iter()
            .map(|result| result.and(Err(error.clone())))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A writer whose transactions record what they were asked to do, and fail on cue.
    #[derive(Clone, Default)]
    struct Scripted {
        committed: Arc<AtomicUsize>,
        fail_append: Option<&'static str>,
        panic_on_append: bool,
    }

    struct ScriptedTransaction {
        writer: Scripted,
        pending: usize,
        savepoint_start: usize,
    }

    impl GroupWriter for Scripted {
        type Transaction = ScriptedTransaction;
        async fn begin(&self) -> Result<ScriptedTransaction, StoreError> {
            Ok(ScriptedTransaction {
                writer: self.clone(),
                pending: 0,
                savepoint_start: 0,
            })
        }
    }

    impl GroupTransaction for ScriptedTransaction {
        async fn append(&mut self, events: Vec<NewEvent>, _: Timestamp) -> Answer {
            let summary = events[0].summary.clone().unwrap_or_default();
            if self.writer.panic_on_append {
                panic!("scripted panic");
            }
            match self.writer.fail_append {
                Some("conflict") if summary == "refuse" => {
                    self.pending += 1; // a refusal may have written nothing, or something
                    return Err(StoreError::AlreadySuperseded {
                        index: 0,
                        target: vigil_domain::EventId::new(),
                        by: vigil_domain::EventId::new(),
                    });
                }
                Some("database") if summary == "refuse" => {
                    return Err(StoreError::Unavailable("disk full".into()));
                }
                _ => {}
            }
            self.pending += 1;
            Ok(vec![Appended::AlreadyStored {
                id: vigil_domain::EventId::new(),
            }])
        }
        async fn savepoint(&mut self) -> Result<(), StoreError> {
            self.savepoint_start = self.pending;
            Ok(())
        }
        async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
            self.pending = self.savepoint_start;
            Ok(())
        }
        async fn release_savepoint(&mut self) -> Result<(), StoreError> {
            Ok(())
        }
        async fn commit(self) -> Result<(), StoreError> {
            self.writer
                .committed
                .fetch_add(self.pending, Ordering::SeqCst);
            Ok(())
        }
    }

    fn append(summary: &str) -> Append {
        let mut event = crate::conformance_fixture::visit(summary);
        event.summary = Some(summary.to_string());
        Append {
            events: vec![event],
            ingested_at: Timestamp::now(),
        }
    }

    #[tokio::test]
    async fn a_refused_append_is_rolled_back_alone() {
        let writer = Scripted {
            fail_append: Some("conflict"),
            ..Scripted::default()
        };
        let results = write_group(
            writer.clone(),
            vec![append("a"), append("refuse"), append("b")],
        )
        .await;
        assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok());
        assert_eq!(
            writer.committed.load(Ordering::SeqCst),
            2,
            "the refused append's writes were rolled back"
        );
    }

    #[tokio::test]
    async fn a_database_failure_abandons_the_group() {
        let writer = Scripted {
            fail_append: Some("database"),
            ..Scripted::default()
        };
        let results = write_group(
            writer.clone(),
            vec![append("a"), append("refuse"), append("b")],
        )
        .await;
        assert!(
            results
                .iter()
                .all(|result| matches!(result, Err(StoreError::Unavailable(_)))),
            "{results:?}"
        );
        assert_eq!(
            writer.committed.load(Ordering::SeqCst),
            0,
            "nothing of the group is committed"
        );
    }

    #[tokio::test]
    async fn a_panic_while_writing_is_answered_and_the_writer_goes_on() {
        let queue = AppendQueue::start(Scripted {
            panic_on_append: true,
            ..Scripted::default()
        });
        let first = append("a");
        let error = queue
            .append(first.events, first.ingested_at)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::Internal(_)), "{error:?}");
        assert!(
            queue.is_running(),
            "the writer survives a panic in one group"
        );
        let second = append("b");
        assert!(
            queue
                .append(second.events, second.ingested_at)
                .await
                .is_err()
        );
    }
}
