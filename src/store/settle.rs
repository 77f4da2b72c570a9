//! Turning the ward record's answer to a push into updates of the device's store.

use koe_core::sync::Outcome;
use koe_core::{Mutation, MutationOutcome};

/// One pushed mutation the ward record answered: its outbox entry goes, and its request
/// takes the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    /// The mutation as it was sent.
    pub mutation: Mutation,
    pub outcome: Outcome,
}

/// The settlements for the mutations of `batch` that `outcomes` answers. Outcomes for
/// mutations not in the batch are ignored; mutations not answered stay in the outbox.
pub fn settlements(batch: &[Mutation], outcomes: &[MutationOutcome]) -> Vec<Settlement> {
    outcomes
        .iter()
        .filter_map(|o| {
            let m = batch.iter().find(|m| m.id == o.mutation_id)?;
            Some(Settlement {
                mutation: m.clone(),
                outcome: o.outcome.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::device::fixtures::new_request;
    use koe_core::{Bilingual, MutationKind};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn create(id: u64) -> Mutation {
        Mutation {
            id,
            author: None,
            kind: MutationKind::CreateRequest {
                request: new_request(id, "t"),
            },
        }
    }

    #[wasm_bindgen_test]
    fn each_answered_mutation_settles_its_request() {
        let batch = [create(1), create(2), create(3)];
        let outcomes = [
            MutationOutcome {
                mutation_id: 1,
                outcome: Outcome::Applied { version: 10 },
            },
            MutationOutcome {
                mutation_id: 2,
                outcome: Outcome::Rejected {
                    code: "unknown_category".into(),
                    message: Bilingual::new("分類", "category"),
                },
            },
            // Not in the batch: ignored.
            MutationOutcome {
                mutation_id: 9,
                outcome: Outcome::Applied { version: 11 },
            },
        ];
        let s = settlements(&batch, &outcomes);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].mutation, batch[0]);
        assert_eq!(s[0].outcome, Outcome::Applied { version: 10 });
        assert_eq!(s[1].mutation.id, 2);
        assert!(matches!(s[1].outcome, Outcome::Rejected { .. }));
    }
}
