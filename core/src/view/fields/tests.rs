//! The field table: its compile-time sort, and which fields are the view's own.

// Compiled for the tests only (its parent declares it under `cfg(test)`).
#[cfg(test)]
use super::{before, sorted, sorted_by_name, Source, VIEW_FIELDS};

/// The compile-time sort orders names bytewise, and the check refuses what
/// is not sorted and a name given twice.
#[test]
fn the_sort_orders_by_name_and_the_check_refuses_repeats() {
    assert!(before(b"a", b"b") && before(b"ab", b"abc") && !before(b"b", b"a"));
    assert!(!before(b"same", b"same"));
    let s = Source::Status;
    assert!(sorted_by_name(&[("a", s), ("b", s)]));
    assert!(!sorted_by_name(&[("b", s), ("a", s)]));
    assert!(!sorted_by_name(&[("a", s), ("a", s)]));
    let merged: [(&str, Source); 3] = sorted(&[("c", s), ("a", s)], &[("b", s)]);
    assert_eq!(merged.map(|(n, _)| n), ["a", "b", "c"]);
    let repeated: [(&str, Source); 2] = sorted(&[("a", s)], &[("a", s)]);
    assert!(!sorted_by_name(&repeated));
}

/// `same` compares the fields without a witness by hand: the view's own
/// three, and the shipment (each of its members has a witness of its own).
#[test]
fn the_fields_without_a_witness_are_the_views_own() {
    let own: Vec<&str> = VIEW_FIELDS
        .iter()
        .filter(|(_, s)| s.witness().is_none())
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(own, ["conflict", "operationId", "shipment", "status"]);
}
