//! Open questions: things someone must find out ("who is this adult?"), with who asked,
//! who owns the answer, by when, and the answer. A ledger of their own because they are
//! not warnings: a serious case review asks "was the question asked, and answered?".

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::alerts::{Evidence, OwnerRole};
use crate::casebook::PersonId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenQuestion {
    pub id: String,
    /// The child the question is about.
    pub child: PersonId,
    /// What the question concerns, so the same question is not asked twice (the adult's
    /// person id, or a fixed key for a family of questions).
    pub concerning: String,
    pub question: String,
    /// The rule (or person) that asked it.
    pub asked_by: String,
    pub asked_at: Timestamp,
    pub owner: OwnerRole,
    pub due_by: Timestamp,
    pub evidence: Vec<Evidence>,
    /// Possible identities found by linkage, strongest first, for the person answering.
    pub candidates: Vec<String>,
    pub answer: Option<Answer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub by: String,
    pub at: Timestamp,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct QuestionLedger {
    questions: Vec<OpenQuestion>,
}

impl QuestionLedger {
    pub fn all(&self) -> &[OpenQuestion] {
        &self.questions
    }

    /// Asks a question unless the same one (same child, same concern) is already open;
    /// an open one gains the new evidence and candidates. Returns the question's id when
    /// it was asked now.
    pub fn ask(&mut self, question: OpenQuestion) -> Option<String> {
        if let Some(open) = self.questions.iter_mut().find(|q| {
            q.answer.is_none() && q.child == question.child && q.concerning == question.concerning
        }) {
            for evidence in question.evidence {
                if !open.evidence.iter().any(|e| e.event == evidence.event) {
                    open.evidence.push(evidence);
                }
            }
            for candidate in question.candidates {
                if !open.candidates.contains(&candidate) {
                    open.candidates.push(candidate);
                }
            }
            return None;
        }
        if self.questions.iter().any(|q| {
            q.child == question.child
                && q.concerning == question.concerning
                && question
                    .evidence
                    .iter()
                    .all(|e| q.evidence.iter().any(|old| old.event == e.event))
        }) {
            return None;
        }
        let id = format!("Q-{}", self.questions.len() + 1);
        self.questions.push(OpenQuestion {
            id: id.clone(),
            ..question
        });
        Some(id)
    }

    pub fn answer(&mut self, id: &str, by: &str, text: &str, at: Timestamp) -> Result<(), String> {
        let question = self
            .questions
            .iter_mut()
            .find(|q| q.id == id)
            .ok_or_else(|| format!("there is no question {id}"))?;
        if question.answer.is_some() {
            return Err(format!("question {id} is already answered"));
        }
        if text.trim().is_empty() {
            return Err("an answer needs text".to_string());
        }
        question.answer = Some(Answer {
            by: by.to_string(),
            at,
            text: text.to_string(),
        });
        Ok(())
    }
}
