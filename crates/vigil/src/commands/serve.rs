//! `vigil serve`: the HTTP service, until SIGTERM or Ctrl-C, finishing requests in
//! flight before it exits.

use std::net::SocketAddr;

use anyhow::Context;
use vigil_pipeline::Casework;
use vigil_store::EventStore;
use vigil_web::{AppState, WebLimits, router};

use crate::database::StoreTask;

/// How often the follower reads the log when nothing wakes it, so that deadlines pass
/// on time and other processes' writes arrive.
pub const FOLLOW_TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// The application as `vigil serve` runs it: the casebook replayed from the log, its
/// follower running, and the router over both. `serve` and `vigil bench latency` both
/// start it here, so the benchmark measures exactly what production runs.
pub struct Application {
    pub router: axum::Router,
    pub casework: Casework,
    follower: tokio::task::JoinHandle<()>,
}

impl Application {
    pub async fn start<S: EventStore>(
        store: S,
        limits: WebLimits,
        rules: vigil_rules::RulesConfig,
        access: vigil_web::AccessSettings,
    ) -> anyhow::Result<Application> {
        let started = std::time::Instant::now();
        let casework = Casework::load(&store, vigil_linkage::LinkageModel::default_model(), rules)
            .await
            .context("replaying the event log into the casebook")?;
        tracing::info!(
            events = casework.read().await.events().len(),
            seconds = started.elapsed().as_secs_f64(),
            "casebook rebuilt from the log"
        );
        let follower = tokio::spawn(vigil_pipeline::follow(
            casework.clone(),
            store.clone(),
            FOLLOW_TICK,
        ));
        let router = router(AppState {
            store,
            limits,
            casework: casework.clone(),
            access,
        });
        Ok(Application {
            router,
            casework,
            follower,
        })
    }
}

impl Drop for Application {
    /// The follower lives as long as the application (a benchmark or a test may start
    /// several in one process).
    fn drop(&mut self) {
        self.follower.abort();
    }
}

pub struct Serve {
    pub listen: SocketAddr,
    pub limits: WebLimits,
    pub database_description: String,
    pub rules: vigil_rules::RulesConfig,
    pub webhooks: vigil_web::webhook_sender::WebhookSettings,
    pub access: vigil_web::AccessSettings,
}

impl StoreTask for Serve {
    type Output = ();

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<()> {
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .with_context(|| format!("cannot listen on {}: is another program using it? Choose another with --listen", self.listen))?;
        let address = listener.local_addr()?;
        // Held until serving ends: dropping it stops the follower.
        let application =
            Application::start(store.clone(), self.limits, self.rules, self.access).await?;
        // Sends what subscribed agencies are owed until serving ends.
        let sender = tokio::spawn(vigil_web::webhook_sender::run(
            store,
            application.casework.clone(),
            self.webhooks,
        ));
        // Tests and scripts read this line to learn the port when given port 0.
        println!(
            "Vigil is listening on http://{address} ({})",
            self.database_description
        );
        tracing::info!(%address, "listening");
        axum::serve(listener, application.router.clone())
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving")?;
        // A try cut off here is claimed without a result; the next start records it as
        // lost and tries again.
        sender.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
