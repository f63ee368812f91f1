//! `vigil serve`: the HTTP service, until SIGTERM or Ctrl-C, finishing requests in
//! flight before it exits.

use std::net::SocketAddr;

use anyhow::Context;
use vigil_store::EventStore;
use vigil_web::{AppState, WebLimits, router};

use crate::database::StoreTask;

pub struct Serve {
    pub listen: SocketAddr,
    pub limits: WebLimits,
    pub database_description: String,
    pub rules: vigil_rules::RulesConfig,
}

impl StoreTask for Serve {
    type Output = ();

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<()> {
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .with_context(|| format!("cannot listen on {}: is another program using it? Choose another with --listen", self.listen))?;
        let address = listener.local_addr()?;
        let started = std::time::Instant::now();
        let casework = vigil_pipeline::Casework::load(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            self.rules,
        )
        .await
        .context("replaying the event log into the casebook")?;
        tracing::info!(
            events = casework.read().await.events().len(),
            seconds = started.elapsed().as_secs_f64(),
            "casebook rebuilt from the log"
        );
        tokio::spawn(vigil_pipeline::follow(
            casework.clone(),
            store.clone(),
            std::time::Duration::from_secs(1),
        ));
        let app = router(AppState {
            store,
            limits: self.limits,
            casework,
        });
        // Tests and scripts read this line to learn the port when given port 0.
        println!(
            "Vigil is listening on http://{address} ({})",
            self.database_description
        );
        tracing::info!(%address, "listening");
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving")?;
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
