//! The TypeScript declarations' word unions (`js/index.d.ts`) are the
//! core's spellings (`d1_words!` in the core): each union names every value
//! of its enum and no other, so a word added to the core cannot be missing
//! from what TypeScript users see.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use d1_tracking::{
    AlertCode, DecidingStep, FactKind, OperationStatus, Phase, ShipmentPhase, TerminalSourceWord,
};

const DECLARATIONS: &str = include_str!("../js/index.d.ts");

/// The quoted words of `export type NAME = ...;`, sorted.
fn union(name: &str) -> Vec<String> {
    let start = format!("export type {name} =");
    let at = DECLARATIONS
        .find(&start)
        .unwrap_or_else(|| panic!("no `{start}` in index.d.ts"));
    let rest = DECLARATIONS.get(at + start.len()..).unwrap_or_default();
    let body = rest
        .get(..rest.find(';').unwrap_or(rest.len()))
        .unwrap_or_default();
    let mut words: Vec<String> = body
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    words.sort();
    words
}

fn sorted(words: impl Iterator<Item = &'static str>) -> Vec<String> {
    let mut out: Vec<String> = words.map(str::to_string).collect();
    out.sort();
    out
}

#[test]
fn typescript_unions_are_the_core_spellings() {
    assert_eq!(
        union("AlertCode"),
        sorted(AlertCode::ALL.iter().map(|c| c.as_str()))
    );
    assert_eq!(
        union("Phase"),
        sorted(Phase::ALL.iter().map(|p| p.as_str()))
    );
    assert_eq!(
        union("ShipmentPhase"),
        sorted(ShipmentPhase::ALL.iter().map(|p| p.as_str()))
    );
    assert_eq!(
        union("DecidingStep"),
        sorted(DecidingStep::ALL.iter().map(|s| s.as_str()))
    );
    assert_eq!(
        union("FactKind"),
        sorted(FactKind::ALL.iter().map(|s| s.as_str()))
    );
    assert_eq!(
        union("TerminalSourceWord"),
        sorted(TerminalSourceWord::ALL.iter().map(|s| s.as_str()))
    );
    assert_eq!(
        union("OperationStatus"),
        sorted(OperationStatus::ALL.iter().map(|s| s.as_str()))
    );
}
