//! serde for terms, in two shapes.
//!
//! Human-readable formats (JSON) get Erlang syntax as strings, so traces stay readable
//! and diffable; reading parses that text back. Compact formats (the fingerprint
//! hasher) get a structural shape instead, so that hashing a term never formats text:
//! a term is an enum (variant index and payload), a pid its serial, a reference its
//! number, an atom its name.

use super::{parse_term, Atom, Pid, Ref, Term};
use crate::scenario::json::quoted;
use serde::de::{self, Deserialize, Deserializer, EnumAccess, VariantAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;
use std::rc::Rc;

/// The variant names of the compact shape, in variant-index order.
const VARIANTS: &[&str] = &["int", "atom", "ref", "pid", "tuple", "list", "bin", "fun"];

impl Serialize for Term {
    #[inline]
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return s.collect_str(self);
        }
        match self {
            Term::Int(i) => s.serialize_newtype_variant("Term", 0, VARIANTS[0], i),
            Term::Atom(a) => s.serialize_newtype_variant("Term", 1, VARIANTS[1], a),
            Term::Ref(r) => s.serialize_newtype_variant("Term", 2, VARIANTS[2], r),
            Term::Pid(p) => s.serialize_newtype_variant("Term", 3, VARIANTS[3], p),
            Term::Tuple(items) => s.serialize_newtype_variant("Term", 4, VARIANTS[4], &**items),
            Term::List(items) => s.serialize_newtype_variant("Term", 5, VARIANTS[5], &**items),
            Term::Bin(text) => s.serialize_newtype_variant("Term", 6, VARIANTS[6], &**text),
            Term::Fun(fun) => s.serialize_newtype_variant("Term", 7, VARIANTS[7], fun.name()),
        }
    }
}

impl Serialize for Pid {
    #[inline]
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_u32(self.serial)
        }
    }
}

impl Serialize for Ref {
    #[inline]
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_u64(self.0)
        }
    }
}

impl Serialize for Atom {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads a string and hands it to a parsing function; `what` names the expected text.
struct TextVisitor<F> {
    what: &'static str,
    parse: F,
}

impl<T, F: FnOnce(&str) -> Result<T, String>> Visitor<'_> for TextVisitor<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v).map_err(E::custom)
    }
}

fn parse_text<'de, D, T>(
    d: D,
    what: &'static str,
    pick: fn(Term) -> Option<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_str(TextVisitor {
        what,
        parse: |text: &str| {
            // Quoted cut short: a trace line may hold a term of any length.
            let term = parse_term(text).map_err(|e| format!("bad term {}: {e}", quoted(text)))?;
            pick(term).ok_or_else(|| format!("expected {what}, found {}", quoted(text)))
        },
    })
}

impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Term, D::Error> {
        if d.is_human_readable() {
            parse_text(d, "a term in Erlang syntax", Some)
        } else {
            d.deserialize_enum("Term", VARIANTS, CompactTermVisitor)
        }
    }
}

impl<'de> Deserialize<'de> for Pid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pid, D::Error> {
        if d.is_human_readable() {
            parse_text(d, "a pid like <0.12.0>", |t| t.as_pid())
        } else {
            u32::deserialize(d).map(|serial| Pid::from_parts(u32::MAX, serial))
        }
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ref, D::Error> {
        if d.is_human_readable() {
            parse_text(d, "a reference like #Ref<0.0.0.7>", |t| t.as_ref())
        } else {
            u64::deserialize(d).map(Ref)
        }
    }
}

impl<'de> Deserialize<'de> for Atom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Atom, D::Error> {
        d.deserialize_str(TextVisitor {
            what: "an atom name",
            parse: |s: &str| Ok(Atom::new(s)),
        })
    }
}

/// The variant of a compact term, named by index (compact formats) or by name.
struct VariantTag(u8);

impl<'de> Deserialize<'de> for VariantTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<VariantTag, D::Error> {
        struct TagVisitor;
        impl Visitor<'_> for TagVisitor {
            type Value = VariantTag;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a term variant")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<VariantTag, E> {
                match u8::try_from(v) {
                    Ok(i) if usize::from(i) < VARIANTS.len() => Ok(VariantTag(i)),
                    _ => Err(E::invalid_value(
                        de::Unexpected::Unsigned(v),
                        &"a variant index 0..=7",
                    )),
                }
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<VariantTag, E> {
                match VARIANTS.iter().position(|&name| name == v) {
                    Some(i) => self.visit_u64(i as u64),
                    None => Err(E::unknown_variant(v, VARIANTS)),
                }
            }
        }
        d.deserialize_identifier(TagVisitor)
    }
}

struct CompactTermVisitor;

impl<'de> Visitor<'de> for CompactTermVisitor {
    type Value = Term;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a term")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Term, A::Error> {
        let (VariantTag(tag), payload) = data.variant()?;
        Ok(match tag {
            0 => Term::Int(payload.newtype_variant()?),
            1 => Term::Atom(payload.newtype_variant()?),
            2 => Term::Ref(payload.newtype_variant()?),
            3 => Term::Pid(payload.newtype_variant()?),
            4 => Term::Tuple(Rc::from(payload.newtype_variant::<Vec<Term>>()?)),
            5 => Term::List(Rc::from(payload.newtype_variant::<Vec<Term>>()?)),
            6 => Term::Bin(Rc::from(payload.newtype_variant::<String>()?)),
            _ => Term::Fun(super::Fun::named(&payload.newtype_variant::<String>()?)),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::term::{atom, strategy, Atom, Pid, Ref, Term};
    use proptest::prelude::*;

    #[test]
    fn json_uses_erlang_text() {
        let t = Term::tuple_of([atom("a"), Term::Pid(Pid::from_parts(0, 4)), Term::bin("x")]);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""{a,<0.4.0>,<<\"x\">>}""#
        );
        assert_eq!(
            serde_json::to_string(&Atom::new("EXIT")).unwrap(),
            r#""EXIT""#
        );
        assert_eq!(
            serde_json::to_string(&Ref(3)).unwrap(),
            r##""#Ref<0.0.0.3>""##
        );
        let back: Atom = serde_json::from_str(r#""EXIT""#).unwrap();
        assert_eq!(back, Atom::new("EXIT"));
    }

    #[test]
    fn json_errors_name_the_problem() {
        let e = serde_json::from_str::<Term>(r#""{a,""#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("bad term `{a,`") && e.contains("expected a term"),
            "{e}"
        );
        let e = serde_json::from_str::<Pid>(r#""ok""#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a pid"), "{e}");
        let e = serde_json::from_str::<Ref>("3").unwrap_err().to_string();
        assert!(e.contains("a reference like"), "{e}");
    }

    proptest! {
        #[test]
        fn json_round_trips(t in strategy::term(), p in strategy::pid(), r in any::<u64>()) {
            let text = serde_json::to_string(&t).unwrap();
            prop_assert_eq!(serde_json::from_str::<Term>(&text).unwrap(), t);
            let text = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Pid>(&text).unwrap(), p);
            let text = serde_json::to_string(&Ref(r)).unwrap();
            prop_assert_eq!(serde_json::from_str::<Ref>(&text).unwrap(), Ref(r));
        }
    }
}
