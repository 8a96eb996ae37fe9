//! The `serde_json` way of `stream_member` (`stream.rs`), for what the
//! direct reader leaves to it: the same events, the same outlines (the
//! `apply_body` fuzz target and the property in `stream/tests.rs` check
//! that both agree).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::node::{Budget, Budgeted};
use super::stream_event::{Element, Member, Outline, SMALL_VALUES};
use super::Node;

/// An object (or not) read by `serde_json` into an [`Outline`], its member
/// `path[0]` streamed; `restart` as for [`Reader::outline`].
pub(super) struct OutlineSeed<'p, 'm, 'f, 'a> {
    pub(super) path: &'p [&'m str],
    pub(super) restart: Option<usize>,
    pub(super) max_values: usize,
    pub(super) each: &'f mut dyn FnMut(Element<'a>),
}

impl<'a> DeserializeSeed<'a> for OutlineSeed<'_, '_, '_, 'a> {
    type Value = Outline<'a>;

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Outline<'a>, D::Error> {
        if let Some(index) = self.restart {
            (self.each)(Element::Begin { index });
        }
        d.deserialize_any(self)
    }
}

/// An outline of a value that is not an object.
fn other<'a>(name: &'static str) -> Outline<'a> {
    Outline {
        not_an_object: Some(name),
        ..Outline::default()
    }
}

impl<'a> Visitor<'a> for OutlineSeed<'_, '_, '_, 'a> {
    type Value = Outline<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Outline<'a>, E> {
        Ok(other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Outline<'a>, E> {
        Ok(other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Outline<'a>, E> {
        Ok(other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Outline<'a>, E> {
        Ok(other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Outline<'a>, E> {
        Ok(other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Outline<'a>, E> {
        Ok(other("null"))
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Outline<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(other("an array"))
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Outline<'a>, A::Error> {
        let mut outline = Outline::default();
        let Some((name, rest)) = self.path.split_first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(outline);
        };
        while let Some(key) = map.next_key::<Node<'a>>()? {
            let Node::String(key) = key else {
                return Err(serde::de::Error::custom("expected a string key"));
            };
            if key == *name {
                (self.each)(
                    self.restart
                        .map_or(Element::Reset, |index| Element::Begin { index }),
                );
                outline.member = Some(map.next_value_seed(MemberSeed {
                    rest,
                    max_values: self.max_values,
                    each: &mut *self.each,
                })?);
            } else {
                let budget = Budget::new(SMALL_VALUES);
                let value = map.next_value_seed(Budgeted(&budget))?;
                outline
                    .others
                    .push((key, (!budget.exhausted.get()).then_some(value)));
            }
        }
        Ok(outline)
    }
}

/// The streamed member, read by `serde_json`: its elements are items when
/// `rest` is empty, else outlines streaming `rest[0]`.
struct MemberSeed<'p, 'm, 'f, 'a> {
    rest: &'p [&'m str],
    max_values: usize,
    each: &'f mut dyn FnMut(Element<'a>),
}

impl<'a> DeserializeSeed<'a> for MemberSeed<'_, '_, '_, 'a> {
    type Value = Member;

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Member, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for MemberSeed<'_, '_, '_, 'a> {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Member, E> {
        Ok(Member::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Member, E> {
        Ok(Member::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Member, E> {
        Ok(Member::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Member, E> {
        Ok(Member::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Member, E> {
        Ok(Member::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Member, E> {
        Ok(Member::Other("null"))
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Member, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Member::Other("an object"))
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Member, A::Error> {
        let mut index = 0;
        loop {
            if self.rest.is_empty() {
                let budget = Budget::new(self.max_values);
                let Some(node) = seq.next_element_seed(Budgeted(&budget))? else {
                    break;
                };
                (self.each)(Element::Item {
                    index,
                    node: (!budget.exhausted.get()).then_some(node),
                    extent: None,
                    raw: None,
                });
            } else {
                let seed = OutlineSeed {
                    path: self.rest,
                    restart: Some(index),
                    max_values: self.max_values,
                    each: &mut *self.each,
                };
                let Some(outline) = seq.next_element_seed(seed)? else {
                    break;
                };
                (self.each)(Element::End { index, outline });
            }
            index += 1;
        }
        Ok(Member::Array(index))
    }
}
