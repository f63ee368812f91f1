//! `vigil user add`, `vigil key create|revoke|list`: the local accounts and API keys of
//! the embedded default (docs/SECURITY.md). Keys are shown once, when created; the store
//! keeps only their hash. A key is revoked by a new row, never by changing its own.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::Subcommand;
use jiff::{SignedDuration, Timestamp};
use vigil_access::Role;
use vigil_domain::AgencyCode;
use vigil_store::{Account, EventStore, KeyRevocation};

use crate::config::Database;
use crate::database::{StoreTask, with_store};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a local account. The password is read from a prompt, or from standard input
    /// with --password-stdin.
    Add {
        /// The user name: how the person signs in, and their id in the audit.
        name: String,
        /// practitioner, mash_analyst, team_manager, practice_reviewer, privacy_officer,
        /// administrator, integration_client.
        #[arg(long)]
        role: String,
        /// The agency code (needed for practitioner, team_manager, integration_client).
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        team: Option<String>,
        /// As shown to people: "Ana Quill (health visitor)". Defaults to the user name.
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create an API key and print it, once.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        agency: Option<String>,
        /// Days until the key stops working (default 365).
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_in_days: u32,
        /// What the key is for, e.g. "QAH's EPR feed".
        #[arg(long)]
        name: Option<String>,
    },
    /// Revoke a key by its id (from `vigil key list`): it stops working within 30 s.
    Revoke { id: String },
    /// List the keys: id, name, role, agency, expiry and whether revoked. No secrets.
    List,
}

/// Parses a role and an agency together, with the errors a person can act on.
pub fn role_and_agency(
    role: &str,
    agency: Option<&str>,
) -> anyhow::Result<(Role, Option<AgencyCode>)> {
    let role: Role = role.parse()?;
    let agency = agency
        .map(|a| AgencyCode::parse(a).map_err(|e| anyhow::anyhow!("--agency: {e}")))
        .transpose()?;
    if role.needs_agency() && agency.is_none() {
        bail!("the role {role} acts for one agency: give --agency CODE (for example --agency QAH)");
    }
    Ok((role, agency))
}

fn operator() -> String {
    std::env::var("USER")
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".to_string())
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        eprint!("Password for the new account (shown as you type; at least 12 characters): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

struct AddUser(Account);

impl StoreTask for AddUser {
    type Output = bool;
    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<bool> {
        Ok(store.add_account(&self.0).await?)
    }
}

pub async fn run_user(what: UserCommand, database: &Database) -> anyhow::Result<()> {
    let UserCommand::Add {
        name,
        role,
        agency,
        team,
        display_name,
        password_stdin,
    } = what;
    let (role, agency) = role_and_agency(&role, agency.as_deref())?;
    let password = read_password(password_stdin)?;
    let password_hash = vigil_access::secret::hash_password(&password)?;
    let account = Account {
        display_name: display_name.unwrap_or_else(|| name.clone()),
        user_name: name.clone(),
        role,
        agency,
        team,
        password_hash,
        created_at: Timestamp::now(),
        created_by: operator(),
    };
    if !with_store(database, AddUser(account)).await? {
        bail!("there is already an account {name:?}: user names are never reused");
    }
    println!("added {name} as {role}");
    Ok(())
}

enum KeyTask {
    Create {
        role: Role,
        agency: Option<AgencyCode>,
        days: u32,
        name: String,
    },
    Revoke(String),
    List,
}

impl StoreTask for KeyTask {
    type Output = String;
    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<String> {
        match self {
            KeyTask::Create {
                role,
                agency,
                days,
                name,
            } => {
                let expires = Timestamp::now() + SignedDuration::from_hours(24 * i64::from(days));
                let (key, secret) = vigil_store::accounts::issue_api_key(
                    &store,
                    &name,
                    role,
                    agency,
                    Some(expires),
                    &operator(),
                )
                .await?;
                Ok(format!(
                    "{secret}\n\nkey {} ({role}) expires {}. This is the only time the key is shown: keep it in a secret store.\nUse it as: Authorization: Bearer <key>",
                    key.id,
                    expires.strftime("%Y-%m-%d")
                ))
            }
            KeyTask::Revoke(id) => {
                if store.api_key(&id).await?.is_none() {
                    bail!("there is no key {id:?}; `vigil key list` shows the ids");
                }
                let revocation = KeyRevocation {
                    key_id: id.clone(),
                    revoked_at: Timestamp::now(),
                    revoked_by: operator(),
                };
                Ok(if store.revoke_api_key(&revocation).await? {
                    format!(
                        "revoked key {id}; a running Vigil stops accepting it within 30 seconds"
                    )
                } else {
                    format!("key {id} was already revoked")
                })
            }
            KeyTask::List => {
                let now = Timestamp::now();
                let mut lines = vec!["id\trole\tagency\texpires\tstate\tname".to_string()];
                for stored in store.api_keys().await? {
                    let key = &stored.key;
                    let state = match (&stored.revoked, stored.is_usable(now)) {
                        (Some(r), _) => format!("revoked {}", r.revoked_at.strftime("%Y-%m-%d")),
                        (None, false) => "expired".to_string(),
                        (None, true) => "active".to_string(),
                    };
                    lines.push(format!(
                        "{}\t{}\t{}\t{}\t{state}\t{}",
                        key.id,
                        key.role,
                        key.agency.as_ref().map(|a| a.as_str()).unwrap_or("-"),
                        key.expires_at
                            .map(|t| t.strftime("%Y-%m-%d").to_string())
                            .unwrap_or_else(|| "never".into()),
                        key.name
                    ));
                }
                Ok(lines.join("\n"))
            }
        }
    }
}

pub async fn run_key(what: KeyCommand, database: &Database) -> anyhow::Result<()> {
    let task = match what {
        KeyCommand::Create {
            role,
            agency,
            expires_in_days,
            name,
        } => {
            let (role, agency) = role_and_agency(&role, agency.as_deref())?;
            let name = name.unwrap_or_else(|| format!("{role} key"));
            KeyTask::Create {
                role,
                agency,
                days: expires_in_days,
                name,
            }
        }
        KeyCommand::Revoke { id } => KeyTask::Revoke(id),
        KeyCommand::List => KeyTask::List,
    };
    println!("{}", with_store(database, task).await?);
    Ok(())
}
