//! Group commit for the audit log, written once for both backends. Every request leaves
//! one audit entry, and each entry was its own transaction: one disk flush per request,
//! all of them taking turns on the store's one write connection with the event appends.
//! Here every audit append of a process goes to one writer task, which takes all the
//! entries waiting and writes them in one transaction (the backend's, which reads the
//! chain's head and chains the whole batch onto it under its lock, so the chain never
//! forks). A caller is answered only after the transaction holding its entries has
//! committed: no request is answered before its audit entry is durable. When entries
//! arrive one at a time, each is its own batch and waits for nothing.
//!
//! A failed batch fails every caller in it (the transaction is dropped, so none of it is
//! stored); a panic while writing is caught and answered the same way, and the writer
//! goes on.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::{NewAuditEntry, StoreError};

/// A backend's way to write audit entries, all or none, in one transaction chained onto
/// the log's head.
pub trait AuditWriter: Clone + Send + Sync + 'static {
    fn write(
        &self,
        entries: Vec<NewAuditEntry>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

struct Request {
    entries: Vec<NewAuditEntry>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// How many entries one batch may hold: a transaction of this size takes a few
/// milliseconds, so a caller at the back of a long queue is not held by one huge batch.
const BATCH_MAX_ENTRIES: usize = 2_000;

/// The handle callers append audit entries through. Cloning it is cheap; the writer
/// task ends when the last handle is dropped.
#[derive(Clone)]
pub struct AuditQueue {
    sender: mpsc::Sender<Request>,
}

impl AuditQueue {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start<W: AuditWriter>(writer: W) -> Self {
        let (sender, receiver) = mpsc::channel(4096);
        tokio::spawn(run_writer(writer, receiver));
        AuditQueue { sender }
    }

    /// Appends `entries` (in this order, with nothing of another caller's between them)
    /// and returns once they are committed.
    pub async fn append(&self, entries: Vec<NewAuditEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let (reply, answer) = oneshot::channel();
        let stopped =
            || StoreError::Unavailable("the store's audit writer has stopped".to_string());
        self.sender
            .send(Request { entries, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run_writer<W: AuditWriter>(writer: W, mut receiver: mpsc::Receiver<Request>) {
    while let Some(first) = receiver.recv().await {
        let mut entries = first.entries;
        let mut replies = vec![first.reply];
        while entries.len() < BATCH_MAX_ENTRIES {
            match receiver.try_recv() {
                Ok(request) => {
                    entries.extend(request.entries);
                    replies.push(request.reply);
                }
                Err(_) => break,
            }
        }
        // Written in a task of its own so that a panic is caught here, not fatal to the
        // writer; the batch's transaction is dropped (rolled back) with the task.
        let writing = tokio::spawn({
            let writer = writer.clone();
            async move { writer.write(entries).await }
        });
        let result = match writing.await {
            Ok(result) => result,
            Err(failure) => Err(StoreError::Internal(format!(
                "writing a batch of audit entries failed unexpectedly: {failure}"
            ))),
        };
        for reply in replies {
            // The caller may have gone (a client disconnected); the entry stands.
            let _ = reply.send(result.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use jiff::Timestamp;

    use super::*;

    /// A writer that keeps each batch it was given, slowly enough that callers queue,
    /// and fails or panics on cue.
    #[derive(Clone, Default)]
    struct Recording {
        batches: Arc<Mutex<Vec<Vec<String>>>>,
        fail_on: Option<&'static str>,
        panic_on: Option<&'static str>,
    }

    impl AuditWriter for Recording {
        async fn write(&self, entries: Vec<NewAuditEntry>) -> Result<(), StoreError> {
            let paths: Vec<String> = entries.iter().map(|e| e.path.clone()).collect();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            if self.panic_on.is_some_and(|p| paths.iter().any(|x| x == p)) {
                panic!("scripted panic");
            }
            if self.fail_on.is_some_and(|p| paths.iter().any(|x| x == p)) {
                return Err(StoreError::Unavailable("disk full".into()));
            }
            self.batches.lock().unwrap().push(paths);
            Ok(())
        }
    }

    fn entry(path: &str) -> NewAuditEntry {
        NewAuditEntry {
            at: Timestamp::now(),
            actor_id: "tester".into(),
            actor_role: None,
            actor_agency: None,
            action: "GET /x".into(),
            path: path.into(),
            resource: None,
            purpose: None,
            status: 200,
            allowed: true,
            request_id: None,
        }
    }

    #[tokio::test]
    async fn entries_waiting_together_are_written_in_one_batch_in_arrival_order() {
        let writer = Recording::default();
        let queue = AuditQueue::start(writer.clone());
        // The first is written alone; the others arrive while it is being written.
        let first = tokio::spawn({
            let queue = queue.clone();
            async move { queue.append(vec![entry("/0")]).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let mut waiting = Vec::new();
        for i in 1..=5 {
            let queue = queue.clone();
            waiting.push(tokio::spawn(async move {
                queue
                    .append(vec![entry(&format!("/{i}a")), entry(&format!("/{i}b"))])
                    .await
            }));
            // Spawned tasks may start in any order; let each send before the next.
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        first.await.unwrap().unwrap();
        for task in waiting {
            task.await.unwrap().unwrap();
        }
        let batches = writer.batches.lock().unwrap().clone();
        assert_eq!(batches.len(), 2, "{batches:?}");
        assert_eq!(batches[0], vec!["/0"]);
        let expected: Vec<String> = (1..=5)
            .flat_map(|i| [format!("/{i}a"), format!("/{i}b")])
            .collect();
        assert_eq!(batches[1], expected, "each caller's entries stay together");
    }

    #[tokio::test]
    async fn a_failed_batch_fails_every_caller_in_it_and_the_writer_goes_on() {
        let writer = Recording {
            fail_on: Some("/bad"),
            ..Recording::default()
        };
        let queue = AuditQueue::start(writer.clone());
        let blocker = tokio::spawn({
            let queue = queue.clone();
            async move { queue.append(vec![entry("/first")]).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let good = tokio::spawn({
            let queue = queue.clone();
            async move { queue.append(vec![entry("/good")]).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        let bad = tokio::spawn({
            let queue = queue.clone();
            async move { queue.append(vec![entry("/bad")]).await }
        });
        blocker.await.unwrap().unwrap();
        assert!(
            good.await.unwrap().is_err(),
            "in the same batch as the failure"
        );
        assert!(bad.await.unwrap().is_err());
        queue.append(vec![entry("/after")]).await.unwrap();
        let batches = writer.batches.lock().unwrap().clone();
        assert_eq!(batches, vec![vec!["/first"], vec!["/after"]]);
    }

    #[tokio::test]
    async fn a_panic_while_writing_is_answered_and_the_writer_goes_on() {
        let writer = Recording {
            panic_on: Some("/panic"),
            ..Recording::default()
        };
        let queue = AuditQueue::start(writer.clone());
        let error = queue.append(vec![entry("/panic")]).await.unwrap_err();
        assert!(matches!(error, StoreError::Internal(_)), "{error:?}");
        queue.append(vec![entry("/after")]).await.unwrap();
        assert_eq!(writer.batches.lock().unwrap().clone(), vec![vec!["/after"]]);
    }

    #[tokio::test]
    async fn nothing_to_write_is_answered_at_once() {
        let writer = Recording::default();
        let queue = AuditQueue::start(writer.clone());
        queue.append(Vec::new()).await.unwrap();
        assert!(writer.batches.lock().unwrap().is_empty());
    }
}
