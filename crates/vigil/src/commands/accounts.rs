//! `vigil user add|disable|enable|list`, `vigil key create|revoke|list`: the local
//! accounts and API keys of the embedded default (docs/SECURITY.md). Keys are shown
//! once, when created; the store keeps only their hash. A key is revoked, and an
//! account disabled or enabled, by a new row, never by changing its own.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::Subcommand;
use jiff::{SignedDuration, Timestamp};
use vigil_access::{AccountChangeKind, ChangeReason, Role, UserName};
use vigil_domain::AgencyCode;
use vigil_store::accounts::ChangeOutcome;
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
    /// Disable an account: its password, sessions and keys stop working at once, in
    /// every running Vigil. Nothing is deleted; `enable` undoes it.
    Disable {
        name: String,
        /// Why, kept for ever in the account's history ("left the council on 3 May").
        #[arg(long)]
        reason: String,
    },
    /// Enable a disabled account again.
    Enable {
        name: String,
        /// Why, kept for ever in the account's history.
        #[arg(long)]
        reason: String,
    },
    /// List the accounts: user name, role, agency, team, status, and the latest change.
    List,
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create an API key and print it, once.
    Create {
        /// The role (not with --owner, whose key acts in the account's role).
        #[arg(long, required_unless_present = "owner", conflicts_with = "owner")]
        role: Option<String>,
        #[arg(long, conflicts_with = "owner")]
        agency: Option<String>,
        /// The local account the key belongs to: it acts as that person (role, agency,
        /// team) and stops working while the account is disabled.
        #[arg(long)]
        owner: Option<String>,
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
    match what {
        UserCommand::Add {
            name,
            role,
            agency,
            team,
            display_name,
            password_stdin,
        } => {
            add_user(
                name,
                role,
                agency,
                team,
                display_name,
                password_stdin,
                database,
            )
            .await
        }
        UserCommand::Disable { name, reason } => {
            change_user(name, AccountChangeKind::Disabled, &reason, database).await
        }
        UserCommand::Enable { name, reason } => {
            change_user(name, AccountChangeKind::Enabled, &reason, database).await
        }
        UserCommand::List => {
            println!("{}", with_store(database, ListUsers).await?);
            Ok(())
        }
    }
}

async fn add_user(
    name: String,
    role: String,
    agency: Option<String>,
    team: Option<String>,
    display_name: Option<String>,
    password_stdin: bool,
    database: &Database,
) -> anyhow::Result<()> {
    let name = UserName::parse(&name)
        .map_err(|error| anyhow::anyhow!("the user name {error}"))?
        .into_string();
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

struct ChangeUser {
    name: String,
    change: AccountChangeKind,
    reason: ChangeReason,
}

impl StoreTask for ChangeUser {
    type Output = ChangeOutcome;
    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<ChangeOutcome> {
        Ok(vigil_store::accounts::change_account(
            &store,
            &self.name,
            self.change,
            self.reason,
            &operator(),
        )
        .await?)
    }
}

async fn change_user(
    name: String,
    change: AccountChangeKind,
    reason: &str,
    database: &Database,
) -> anyhow::Result<()> {
    let reason =
        ChangeReason::parse(reason).map_err(|error| anyhow::anyhow!("--reason {error}"))?;
    match with_store(
        database,
        ChangeUser {
            name: name.clone(),
            change,
            reason,
        },
    )
    .await?
    {
        ChangeOutcome::Made(_) if change == AccountChangeKind::Disabled => {
            println!(
                "disabled {name}: its password, sessions and keys stop working at once; `vigil user enable` undoes it"
            );
        }
        ChangeOutcome::Made(_) => println!("enabled {name}"),
        ChangeOutcome::NoSuchAccount => {
            bail!("there is no account {name:?}; `vigil user list` shows them")
        }
        ChangeOutcome::Unchanged(status) => {
            bail!(
                "the account {name:?} is {} already; nothing was stored",
                status.as_str()
            )
        }
    }
    Ok(())
}

struct ListUsers;

impl StoreTask for ListUsers {
    type Output = String;
    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<String> {
        let mut lines =
            vec!["user\trole\tagency\tteam\tstatus\tsince\tby\treason\tname".to_string()];
        for stored in store.accounts().await? {
            let account = &stored.account;
            let (since, by, reason) = match &stored.latest_change {
                Some(change) => (
                    change.at.strftime("%Y-%m-%d %H:%M").to_string(),
                    change.by.clone(),
                    change.reason.replace(['\t', '\n', '\r'], " "),
                ),
                None => (
                    account.created_at.strftime("%Y-%m-%d %H:%M").to_string(),
                    account.created_by.clone(),
                    "-".to_string(),
                ),
            };
            lines.push(format!(
                "{}\t{}\t{}\t{}\t{}\t{since}\t{by}\t{reason}\t{}",
                account.user_name,
                account.role,
                account.agency.as_ref().map(|a| a.as_str()).unwrap_or("-"),
                account.team.as_deref().unwrap_or("-"),
                stored.status().as_str(),
                account.display_name
            ));
        }
        Ok(lines.join("\n"))
    }
}

enum KeyTask {
    Create {
        role: Role,
        agency: Option<AgencyCode>,
        days: u32,
        name: String,
    },
    CreateOwned {
        owner: String,
        days: u32,
        name: Option<String>,
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
            KeyTask::CreateOwned { owner, days, name } => {
                let Some(account) = store.account(&owner).await? else {
                    bail!("there is no account {owner:?}; `vigil user list` shows them");
                };
                let name = name.unwrap_or_else(|| format!("{owner}'s key"));
                let expires = Timestamp::now() + SignedDuration::from_hours(24 * i64::from(days));
                let (key, secret) = vigil_store::accounts::issue_owned_api_key(
                    &store,
                    &account,
                    &name,
                    Some(expires),
                    &operator(),
                )
                .await?;
                Ok(format!(
                    "{secret}\n\nkey {} of {owner} ({}) expires {}; it stops working while {owner} is disabled. This is the only time the key is shown: keep it in a secret store.\nUse it as: Authorization: Bearer <key>",
                    key.id,
                    key.role,
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
                let mut lines = vec!["id\trole\tagency\texpires\tstate\towner\tname".to_string()];
                for stored in store.api_keys().await? {
                    let key = &stored.key;
                    let state = match (&stored.revoked, stored.is_usable(now)) {
                        (Some(r), _) => format!("revoked {}", r.revoked_at.strftime("%Y-%m-%d")),
                        (None, false) => "expired".to_string(),
                        (None, true) => "active".to_string(),
                    };
                    lines.push(format!(
                        "{}\t{}\t{}\t{}\t{state}\t{}\t{}",
                        key.id,
                        key.role,
                        key.agency.as_ref().map(|a| a.as_str()).unwrap_or("-"),
                        key.expires_at
                            .map(|t| t.strftime("%Y-%m-%d").to_string())
                            .unwrap_or_else(|| "never".into()),
                        key.owner.as_deref().unwrap_or("-"),
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
            owner: Some(owner),
            expires_in_days,
            name,
            ..
        } => KeyTask::CreateOwned {
            owner,
            days: expires_in_days,
            name,
        },
        KeyCommand::Create {
            role,
            agency,
            expires_in_days,
            name,
            owner: None,
        } => {
            let role = role.context("give --role ROLE, or --owner NAME for a person's own key")?;
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
