//! serde and text for [`Event`], written by hand so the two audiences each get the
//! shape that suits them.
//!
//! JSON readers want one flat object per event (`{"t":..,"seq":..,"kind":..,fields}`),
//! which serde's `flatten` gives; but `flatten` serializes through a string-keyed map,
//! which would make the fingerprint hash every field name. Compact formats therefore
//! see the tuple `(t, seq, kind)`.
//!
//! Reading compact formats back is limited by serde itself: the internally tagged
//! [`EventKind`] is read through serde's buffered content, which needs a
//! self-describing format and claims to be human-readable.

use super::{Event, EventKind};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Serialize)]
struct FlatRef<'a> {
    t: u64,
    seq: u64,
    #[serde(flatten)]
    kind: &'a EventKind,
}

#[derive(Deserialize)]
struct FlatOwned {
    t: u64,
    seq: u64,
    #[serde(flatten)]
    kind: EventKind,
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            FlatRef {
                t: self.t,
                seq: self.seq,
                kind: &self.kind,
            }
            .serialize(s)
        } else {
            (self.t, self.seq, &self.kind).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        if d.is_human_readable() {
            let FlatOwned { t, seq, kind } = FlatOwned::deserialize(d)?;
            Ok(Event { t, seq, kind })
        } else {
            let (t, seq, kind) = <(u64, u64, EventKind)>::deserialize(d)?;
            Ok(Event { t, seq, kind })
        }
    }
}

/// The top-level fields of a JSON object in document order, values left as JSON.
/// serde_json's own map sorts keys (its order-keeping feature is off), and both the
/// trace writer and [`Event`]'s `Display` want the order the type declares.
pub(crate) struct OrderedFields(pub(crate) Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OrderedFields, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = OrderedFields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedFields, A::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    fields.push((key, map.next_value()?));
                }
                Ok(OrderedFields(fields))
            }
        }
        d.deserialize_map(FieldsVisitor)
    }
}

impl OrderedFields {
    /// The fields of `value` serialized as JSON, in order.
    pub(crate) fn of<T: Serialize>(value: &T) -> Result<OrderedFields, serde_json::Error> {
        serde_json::from_str(&serde_json::to_string(value)?)
    }
}

/// One line per event, the kind first and then its fields in declared order, terms in
/// Erlang syntax: `#3 t=1500us send from=<0.1.0> to=<0.2.0> msg={ping,1}`.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} t={}us", self.seq, self.t)?;
        // An error here would make `to_string` panic; fall back to Debug instead.
        let Ok(fields) = OrderedFields::of(&self.kind) else {
            return write!(f, " {:?}", self.kind);
        };
        for (key, value) in fields.0 {
            match (key.as_str(), value) {
                ("kind", serde_json::Value::String(kind)) => write!(f, " {kind}")?,
                (_, serde_json::Value::String(text)) => write!(f, " {key}={text}")?,
                (_, serde_json::Value::Null) => write!(f, " {key}=none")?,
                (_, other) => write!(f, " {key}={other}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::term::{atom, Atom, Pid, Term};
    use crate::trace::{strategy, Event, EventKind};
    use proptest::prelude::*;

    fn send() -> Event {
        Event {
            t: 1500,
            seq: 3,
            kind: EventKind::Send {
                from: Some(Pid::from_parts(0, 1)),
                to: Term::Pid(Pid::from_parts(1, 2)),
                msg: Term::tuple_of([atom("ping"), Term::Int(1)]),
                outcome: None,
            },
        }
    }

    #[test]
    fn json_is_one_flat_object() {
        let json = serde_json::to_string(&send()).unwrap();
        assert_eq!(
            json,
            r#"{"t":1500,"seq":3,"kind":"send","from":"<0.1.0>","to":"<0.2.0>","msg":"{ping,1}"}"#
        );
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(back, send());
    }

    #[test]
    fn json_readers_ignore_extra_fields() {
        let json =
            r#"{"t":0,"seq":0,"kind":"register","pid":"<0.1.0>","pid_name":"db","name":"db"}"#;
        let back: Event = serde_json::from_str(json).unwrap();
        let expected = EventKind::Register {
            pid: Pid::from_parts(0, 1),
            name: Atom::new("db"),
        };
        assert_eq!(back.kind, expected);
    }

    #[test]
    fn displays_on_one_line() {
        assert_eq!(
            send().to_string(),
            "#3 t=1500us send from=<0.1.0> to=<0.2.0> msg={ping,1}"
        );
        let spawn = Event {
            t: 0,
            seq: 0,
            kind: EventKind::Spawn {
                parent: None,
                child: Pid::from_parts(0, 1),
                linked: false,
                monitored: true,
                label: None,
            },
        };
        assert_eq!(
            spawn.to_string(),
            "#0 t=0us spawn parent=none child=<0.1.0> linked=false monitored=true"
        );
    }

    proptest! {
        #[test]
        fn json_round_trips(e in strategy::event()) {
            let json = serde_json::to_string(&e).unwrap();
            prop_assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
        }
    }
}
