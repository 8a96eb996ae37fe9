//! `explain` tells the truth about the phase (README, "Why this phase"): it
//! is built from the decision the card view's phase comes from, so its
//! phase is the view's, its deciding fact yields that phase, and it lists
//! every kept notification of every operation, each once.

mod common;

use common::{body, cases, deliveries};
use d1_tracking::{Config, DecidingStep, Tracker};
use d1_tracking_test_support::apply_accepted;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn explain_gives_the_phase_shown_and_every_kept_notification(
        items in deliveries(12),
        max_kept in prop_oneof![Just(1usize), Just(32)],
    ) {
        let mut tracker = Tracker::new(Config::default().with_max_notifications_per_operation(max_kept));
        for d in &items {
            apply_accepted(&mut tracker, body(std::slice::from_ref(d)).as_bytes());
        }
        for card in tracker.cards().collect::<Vec<_>>() {
            let why = tracker.explain(&card.card_id).expect("a known card");
            prop_assert_eq!(why.phase, card.phase);
            match why.decided.step {
                DecidingStep::NoFact => {
                    prop_assert!(why.decided.fact.is_none() && why.decided.notification.is_none());
                }
                _ => {
                    let fact = why.decided.fact.as_ref().expect("a deciding fact");
                    prop_assert_eq!(fact.phase, card.phase, "{:?}", why.decided);
                    let at = why.decided.notification.as_ref().expect("a deciding notification");
                    let listed = why.cycles.iter()
                        .flat_map(|c| &c.operations)
                        .find(|o| o.operation_id == at.operation_id && o.tracking_type == at.tracking_type)
                        .and_then(|o| o.notifications.get(at.position));
                    prop_assert!(listed.is_some(), "the deciding notification is listed");
                }
            }
            // Every operation once, with as many notifications as its view counts.
            let ops = tracker.operations(&card.card_id).expect("known");
            let explained: Vec<_> = why.cycles.iter().flat_map(|c| &c.operations).collect();
            prop_assert_eq!(explained.len(), ops.len());
            for op in &ops {
                let e = explained.iter()
                    .find(|e| e.operation_id == op.view.operation_id && e.tracking_type == op.tracking_type)
                    .expect("every operation is explained");
                prop_assert_eq!(e.notifications.len(), op.view.notifications);
                prop_assert_eq!(e.current, op.current);
            }
            // Every alert of the view, each with the notifications that raised it.
            prop_assert_eq!(why.alerts.len(), card.alerts.len());
            for (a, b) in why.alerts.iter().zip(&card.alerts) {
                prop_assert_eq!(&a.alert, b);
                prop_assert!(!a.notifications.is_empty(), "{:?} names no notification", a.alert);
            }
        }
        prop_assert!(tracker.explain("card-unknown").is_none());
    }
}
