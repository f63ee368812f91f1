//! Group commit, shared by both backends. Every append of a process goes to one
//! writer task, which takes all the appends waiting and hands them to the backend to
//! write in one transaction, each inside a savepoint of its own so that one append's
//! failure touches no other. A commit costs a disk flush; sharing one flush among the
//! appends that arrived together is what lets many concurrent single-event requests be
//! both durable and fast. When appends arrive one at a time, each is its own group and
//! waits for nothing.

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

/// What a backend does with a group: write every append in one transaction and return
/// one result per append, in order.
pub trait GroupWriter: Send + 'static {
    fn write_group(
        &mut self,
        group: Vec<Append>,
    ) -> impl Future<Output = Vec<Result<Vec<Appended>, StoreError>>> + Send;
}

struct Request {
    append: Append,
    reply: oneshot::Sender<Result<Vec<Appended>, StoreError>>,
}

/// How much one group may hold: enough to share a flush widely, small enough that a
/// group's transaction stays short.
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

    pub async fn append(
        &self,
        events: Vec<NewEvent>,
        ingested_at: Timestamp,
    ) -> Result<Vec<Appended>, StoreError> {
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
}

async fn run_writer<W: GroupWriter>(mut writer: W, mut receiver: mpsc::Receiver<Request>) {
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
        let results = writer.write_group(appends).await;
        debug_assert_eq!(results.len(), replies.len(), "one result per append");
        for (reply, result) in replies.into_iter().zip(results) {
            // The caller may have gone (a client disconnected); the write stands.
            let _ = reply.send(result);
        }
    }
}
