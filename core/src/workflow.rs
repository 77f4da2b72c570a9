//! How a request moves through the office: the allowed status transitions (状態の遷移).
//! The ward record refuses any other; the app offers only these.

use crate::{Bilingual, Status};

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{from:?} cannot move to {to:?}")]
    NotAllowed { from: Status, to: Status },
    #[error("closing needs the response given to the resident")]
    NeedsResponse,
    #[error("a duplicate names the original request")]
    NeedsOriginal,
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "transition_not_allowed",
            Self::NeedsResponse => "response_required",
            Self::NeedsOriginal => "original_required",
        }
    }

    pub fn message(&self) -> Bilingual {
        match self {
            Self::NotAllowed { from, to } => Bilingual::new(
                format!(
                    "「{}」から「{}」には変更できません。",
                    from.label_ja(),
                    to.label_ja()
                ),
                format!(
                    "A request cannot move from {} to {}.",
                    from.label_en(),
                    to.label_en()
                ),
            ),
            Self::NeedsResponse => Bilingual::new(
                "対応済・完了にするには、区民への対応内容を記入してください。",
                "Write the response given to the resident before resolving or closing.",
            ),
            Self::NeedsOriginal => Bilingual::new(
                "重複にするには、元の受付を指定してください。",
                "Name the original request to mark this one a duplicate.",
            ),
        }
    }
}

/// The statuses a request may move to from `from`.
pub fn next_statuses(from: Status) -> &'static [Status] {
    use Status::*;
    match from {
        New => &[Routed, InProgress, Referred, Duplicate],
        Routed => &[New, InProgress, Resolved, Referred, Duplicate],
        InProgress => &[Routed, Resolved, Referred, Duplicate],
        Resolved => &[InProgress, Closed],
        // A closed, referred or duplicate request can be reopened, never edited silently.
        Closed | Referred | Duplicate => &[InProgress],
    }
}

/// Whether a request may move from `from` to `to`, given whether it carries a response
/// to the resident (対応内容) and, for 重複, the original's id.
pub fn check_transition(
    from: Status,
    to: Status,
    has_response: bool,
    has_original: bool,
) -> Result<(), TransitionError> {
    if !next_statuses(from).contains(&to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    if matches!(to, Status::Resolved | Status::Closed) && !has_response {
        return Err(TransitionError::NeedsResponse);
    }
    if to == Status::Duplicate && !has_original {
        return Err(TransitionError::NeedsOriginal);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Status::*;

    #[test]
    fn new_cannot_close_straight_away() {
        let e = check_transition(New, Closed, true, false).unwrap_err();
        assert_eq!(e.code(), "transition_not_allowed");
        assert!(e.message().ja.contains("受付"));
    }

    #[test]
    fn resolving_needs_a_response() {
        assert_eq!(
            check_transition(InProgress, Resolved, false, false),
            Err(TransitionError::NeedsResponse)
        );
        assert_eq!(check_transition(InProgress, Resolved, true, false), Ok(()));
        assert_eq!(check_transition(Resolved, Closed, true, false), Ok(()));
    }

    #[test]
    fn duplicate_needs_the_original() {
        assert_eq!(
            check_transition(New, Duplicate, false, false),
            Err(TransitionError::NeedsOriginal)
        );
        assert_eq!(check_transition(New, Duplicate, false, true), Ok(()));
    }

    #[test]
    fn every_status_can_be_left_and_closed_is_reachable_from_new() {
        for s in Status::ALL {
            assert!(!next_statuses(s).is_empty(), "{s:?} is a dead end");
        }
        // 受付 → 担当決定 → 対応中 → 対応済 → 完了
        let path = [New, Routed, InProgress, Resolved, Closed];
        for w in path.windows(2) {
            assert_eq!(check_transition(w[0], w[1], true, false), Ok(()));
        }
    }

    proptest! {
        #[test]
        fn no_status_moves_to_itself(i in 0usize..7, resp: bool, orig: bool) {
            let s = Status::ALL[i];
            prop_assert!(check_transition(s, s, resp, orig).is_err());
        }
    }
}
